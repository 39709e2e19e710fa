package app

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"concord/store"
)

func (c *cli) importCmd() *cobra.Command {
	var replace, asJSON, dryRun bool
	var colMap string
	cmd := &cobra.Command{
		Use:   "import PATH...",
		Short: "Import MT-Bench / FastChat / Hugging Face files, answers tables and pairs with texts",
		Long: `Import files and folders in dependency order, atomically: any error writes nothing
and names the file, line and field. A file named here that no importer
recognises is an error; a folder's unrecognised files are listed and skipped.
Files are recognised by name and shape; --map renames a file's columns to the
roles Concord reads, and --dry-run shows what would be stored without writing.`,
		Example: `  concord import ../shared/data/mt_bench ../shared/data/mt_bench_human_judgments
  concord import ../shared/data/pandalm/testset-v1.json ../shared/data/pandalm/gpt-3.5-turbo-testset-v1.json
  concord import prefs.csv --map prompt=instruction,answer_a=resp1,answer_b=resp2,winner=pref,annotator=rater --dry-run`,
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
			m, err := store.ParseColumnMap(colMap)
			if err != nil {
				return usagef("--map: %v", err)
			}
			opts := store.ImportOptions{Replace: replace, Map: m, DryRun: dryRun}
			p := c.progress(!asJSON)
			if p != nil {
				opts.Progress = func(ip store.ImportProgress) {
					p.show("[%d/%d] %s: %d records", ip.DoneFiles, ip.TotalFiles, ip.File, ip.Records)
				}
			}
			rep, err := importFiles(ctx, s, paths, opts)
			p.clear()
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(c.env.Stdout, rep)
			}
			printImportReport(c.env.Stdout, rep)
			if dryRun {
				printImportPreview(c.env.Stdout, rep)
				fmt.Fprintln(c.env.Stdout, "dry run: nothing was written")
			}
			return nil
		}),
	}
	cmd.Flags().BoolVar(&replace, "replace", false, "overwrite records whose key exists with different content")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the import report as JSON")
	cmd.Flags().StringVar(&colMap, "map", "", "column map role=column,... for files with their own column names (roles: "+strings.Join(store.MapRoles(), ", ")+")")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "read and check everything, print the counts, column mapping and first rows as stored, and write nothing")
	return cmd
}

// printImportPreview prints each file's column mapping and first rows as stored.
func printImportPreview(w io.Writer, rep *store.ImportReport) {
	for _, f := range rep.Files {
		if len(f.Columns) == 0 && len(f.Preview) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s (%s)\n", f.Path, f.Kind)
		keys := make([]string, 0, len(f.Columns))
		for k := range f.Columns {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(w, "  %-14s <- %s\n", k, f.Columns[k])
		}
		for _, r := range f.Preview {
			labels := make([]string, 0, len(r.Labels))
			for who, l := range r.Labels {
				labels = append(labels, who+"="+l)
			}
			sort.Strings(labels)
			fmt.Fprintf(w, "  line %d: question %s %q: %s", r.Line, r.Key, r.Prompt, r.ModelA)
			if r.ModelB != "" {
				fmt.Fprintf(w, " vs %s", r.ModelB)
			}
			if len(labels) > 0 {
				fmt.Fprintf(w, " [%s]", strings.Join(labels, " "))
			}
			fmt.Fprintln(w)
		}
	}
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
