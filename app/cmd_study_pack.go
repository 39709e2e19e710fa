package app

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"concord/store"
)

// studyPackCmds are the commands of team annotation: pack a study for
// annotators, follow their progress, exclude or include one.
func (c *cli) studyPackCmds() []*cobra.Command {
	return []*cobra.Command{c.studyPackCmd(), c.studyProgressCmd(), c.studyExcludeCmd(true), c.studyExcludeCmd(false)}
}

// findStudy resolves a study by name, else by id.
func findStudy(ctx context.Context, s *store.Store, ref string) (*store.Study, error) {
	sts, err := s.Studies(ctx)
	if err != nil {
		return nil, err
	}
	for i := range sts {
		if sts[i].Name == ref {
			return &sts[i], nil
		}
	}
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		return s.Study(ctx, id)
	}
	return nil, fmt.Errorf("no study named %q (concord study list shows them)", ref)
}

func (c *cli) studyPackCmd() *cobra.Command {
	var opts store.PackOptions
	var annotators string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "pack STUDY --annotators a,b,c --out DIR [--overlap K] [--gold N] [--seed S]",
		Short: "Write one blind package per annotator (STUDY-NAME.concord) to vote on their own laptop",
		Long: `Write one package per annotator: a Concord database holding only that annotator's
items, with models under aliases. The annotator opens it (concord open FILE),
votes, and sends the file back; concord import FILE merges the votes.`,
		Example: "  concord study pack pilot --annotators alice,bob,carol --overlap 2 --gold 5 --out packages/",
		Args:    cobra.ExactArgs(1),
		RunE: c.run(func(ctx context.Context, cmd *cobra.Command, args []string) error {
			opts.Annotators = splitList(annotators)
			s, err := c.openExisting("study pack")
			if err != nil {
				return err
			}
			defer s.Close()
			st, err := findStudy(ctx, s, args[0])
			if err != nil {
				return err
			}
			res, err := packStudy(ctx, s, st.ID, opts)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(c.env.Stdout, res)
			}
			tw := tabwriter.NewWriter(c.env.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ANNOTATOR\tITEMS\tGOLD\tBYTES\tFILE")
			for _, p := range res.Packages {
				fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\n", p.Annotator, p.Items, p.Gold, p.Bytes, p.Path)
			}
			return tw.Flush()
		}),
	}
	f := cmd.Flags()
	f.StringVar(&annotators, "annotators", "", "one package for each of these annotators (comma-separated)")
	f.IntVar(&opts.Overlap, "overlap", 0, "annotators per item (default: all of them)")
	f.IntVar(&opts.Gold, "gold", 0, "gold items (one answer deliberately broken) added to each package")
	f.Int64Var(&opts.Seed, "seed", 1, "seed of the assignment, aliases and gold items")
	f.StringVar(&opts.OutDir, "out", "", "folder to write the packages to")
	f.BoolVar(&asJSON, "json", false, "print the packages as JSON")
	return cmd
}

func (c *cli) studyProgressCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "progress STUDY",
		Short: "Per annotator: items packed, returned, votes, time, gold accuracy, agreement, left rate",
		Args:  cobra.ExactArgs(1),
		RunE: c.run(func(ctx context.Context, cmd *cobra.Command, args []string) error {
			s, err := c.openExisting("study progress")
			if err != nil {
				return err
			}
			defer s.Close()
			st, err := findStudy(ctx, s, args[0])
			if err != nil {
				return err
			}
			p, err := studyProgress(ctx, s, st.ID)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(c.env.Stdout, p)
			}
			pct := func(x float64) string {
				if math.IsNaN(x) {
					return "-"
				}
				return fmt.Sprintf("%.0f%%", 100*x)
			}
			tw := tabwriter.NewWriter(c.env.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ANNOTATOR\tPACKED\tRETURNED\tVOTES\tTIME\tMEDIAN\tGOLD\tAGREEMENT\tLEFT\tFLAGS")
			for _, a := range p.Annotators {
				name := a.Annotator
				if a.Excluded {
					name += " (excluded)"
				}
				med := "-"
				if !math.IsNaN(float64(a.MedianMS)) {
					med = fmt.Sprintf("%.1fs", float64(a.MedianMS)/1000)
				}
				flags := ""
				for i, f := range a.Flags {
					if i > 0 {
						flags += "; "
					}
					flags += f
				}
				fmt.Fprintf(tw, "%s\t%d\t%t\t%d\t%.0fs\t%s\t%s\t%s (%d)\t%s\t%s\n", name, a.Packed, a.Returned, a.Votes, float64(a.TimeMS)/1000, med,
					pct(float64(a.GoldAccuracy)), pct(float64(a.Agreement)), a.Shared, pct(float64(a.LeftRate)), flags)
			}
			return tw.Flush()
		}),
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the progress as JSON")
	return cmd
}

func (c *cli) studyExcludeCmd(exclude bool) *cobra.Command {
	use, short := "include STUDY ANNOTATOR", "Take an excluded annotator back into the study's report"
	if exclude {
		use, short = "exclude STUDY ANNOTATOR", "Leave an annotator out of the study's report (reversible)"
	}
	return &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.ExactArgs(2),
		RunE: c.run(func(ctx context.Context, cmd *cobra.Command, args []string) error {
			s, err := c.openExisting("study " + cmd.Name()) // exclude or include
			if err != nil {
				return err
			}
			defer s.Close()
			st, err := findStudy(ctx, s, args[0])
			if err != nil {
				return err
			}
			return s.SetAnnotatorExcluded(ctx, st.ID, args[1], exclude)
		}),
	}
}
