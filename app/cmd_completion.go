package app

import (
	"context"

	"github.com/spf13/cobra"
)

// completionCmd prints a shell completion script generated from the same
// command table as the help.
func (c *cli) completionCmd(root *cobra.Command) *cobra.Command {
	return &cobra.Command{
		Use:     "completion bash|zsh|fish",
		Short:   "Print a shell completion script",
		GroupID: "other",
		Long: `Print a completion script for bash, zsh or fish, generated from the command table.

  bash:  source <(concord completion bash)     # or save it in /etc/bash_completion.d/concord
  zsh:   concord completion zsh > "${fpath[1]}/_concord"
  fish:  concord completion fish > ~/.config/fish/completions/concord.fish`,
		ValidArgs: []string{"bash", "zsh", "fish"},
		RunE: c.run(func(ctx context.Context, cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("completion needs one shell: bash, zsh or fish")
			}
			w := c.env.Stdout
			switch args[0] {
			case "bash":
				return root.GenBashCompletionV2(w, true)
			case "zsh":
				return root.GenZshCompletion(w)
			case "fish":
				return root.GenFishCompletion(w, true)
			}
			return usagef("completion: unknown shell %q (want bash, zsh or fish)", args[0])
		}),
	}
}
