package app

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
)

func (c *cli) versionCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "version",
		Short:   "Print the version, commit and build date",
		GroupID: "other",
		Args:    noArgs,
		RunE: c.run(func(ctx context.Context, cmd *cobra.Command, args []string) error {
			info := about()
			if asJSON {
				return writeJSON(c.env.Stdout, info)
			}
			w := c.env.Stdout
			fmt.Fprintf(w, "concord %s\n", info.Version)
			fmt.Fprintf(w, "commit      %s\n", orNone(info.Commit))
			fmt.Fprintf(w, "built       %s\n", orNone(info.BuildDate))
			fmt.Fprintf(w, "go          %s\n", info.GoVersion)
			fmt.Fprintf(w, "schema      %d\n", info.SchemaVersion)
			return nil
		}),
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	return cmd
}

func orNone(s string) string {
	if s == "" {
		return "(not set: a development build)"
	}
	return s
}
