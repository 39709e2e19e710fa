package app

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

// openCmd documents `concord open FILE`, which WindowArgs turns into the
// window on FILE; the command itself runs only when FILE is missing.
func (c *cli) openCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "open FILE",
		Short:   "Open the window on a study package (or any Concord database)",
		Example: "  concord open pilot-alice.concord",
		GroupID: "annotate",
		Args:    cobra.ExactArgs(1),
		RunE: c.run(func(ctx context.Context, cmd *cobra.Command, args []string) error {
			if _, err := os.Stat(args[0]); err != nil {
				return fmt.Errorf("open %s: %w", args[0], err)
			}
			return fmt.Errorf("open %s: the window could not start here", args[0])
		}),
	}
}
