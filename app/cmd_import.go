package app

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"concord/store"
)

func (c *cli) importCmd() *cobra.Command {
	var replace, asJSON bool
	cmd := &cobra.Command{
		Use:   "import PATH...",
		Short: "Import MT-Bench / FastChat / Hugging Face files or folders",
		Long: `Import files and folders in dependency order, atomically: any error writes nothing
and names the file, line and field. A file named here that no importer
recognises is an error; a folder's unrecognised files are listed and skipped.`,
		Example: "  concord import ../shared/data/mt_bench ../shared/data/mt_bench_human_judgments",
		GroupID: "data",
		RunE: c.run(func(ctx context.Context, cmd *cobra.Command, paths []string) error {
			if len(paths) == 0 {
				return usagef("import needs at least one file or folder")
			}
			s, err := c.env.OpenStore()
			if err != nil {
				return err
			}
			defer s.Close()
			opts := store.ImportOptions{Replace: replace}
			p := c.progress(!asJSON)
			if p != nil {
				opts.Progress = func(ip store.ImportProgress) {
					p.show("[%d/%d] %s: %d records", ip.DoneFiles, ip.TotalFiles, ip.File, ip.Records)
				}
			}
			rep, err := s.Import(ctx, paths, opts)
			p.clear()
			if err != nil {
				return fmt.Errorf("%w (nothing was written)", err)
			}
			if asJSON {
				return writeJSON(c.env.Stdout, rep)
			}
			printImportReport(c.env.Stdout, rep)
			return nil
		}),
	}
	cmd.Flags().BoolVar(&replace, "replace", false, "overwrite records whose key exists with different content")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the import report as JSON")
	return cmd
}

func printImportReport(w io.Writer, rep *store.ImportReport) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "FILE\tKIND\tRECORDS\tADDED\tUNCHANGED\tREPLACED")
	for _, f := range rep.Files {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\n", f.Path, f.Kind, f.Records, f.Added, f.Unchanged, f.Replaced)
	}
	tw.Flush()
	fmt.Fprintf(w, "%d added, %d unchanged, %d replaced\n", rep.Added, rep.Unchanged, rep.Replaced)
	if len(rep.Unrecognised) > 0 {
		fmt.Fprintf(w, "not recognised (skipped): %s\n", strings.Join(rep.Unrecognised, ", "))
	}
}
