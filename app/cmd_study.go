package app

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"concord/store"
)

func (c *cli) studyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "study",
		Short:   "Create, list and pack annotation studies; follow and exclude their annotators",
		GroupID: "annotate",
		RunE: c.run(func(ctx context.Context, cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("study needs create or list")
			}
			return usagef("unknown study command %q (want create or list)", args[0])
		}),
	}
	cmd.AddCommand(c.studyCreateCmd(), c.studyListCmd())
	cmd.AddCommand(c.studyPackCmds()...)
	return cmd
}

func (c *cli) studyCreateCmd() *cobra.Command {
	var spec store.StudySpec
	var models, pairs, cats, turns string
	cmd := &cobra.Command{
		Use:     "create --name NAME (--models a,b,c | --pairs a:b,c:d) [flags]",
		Short:   "Create a study from the imported questions and answers",
		Example: "  concord study create --name pilot --models gpt-4,claude-v1 --categories math,coding --sample 40 --seed 3",
		Args:    noArgs,
		RunE: c.run(func(ctx context.Context, cmd *cobra.Command, args []string) error {
			var err error
			spec.Models, spec.Categories = splitList(models), splitList(cats)
			if spec.Pairs, err = parsePairs(splitList(pairs)); err != nil {
				return usagef("--pairs: %v", err)
			}
			if spec.Turns, err = parseInts(turns); err != nil {
				return usagef("--turns: %v", err)
			}
			s, err := c.env.OpenStore()
			if err != nil {
				return err
			}
			defer s.Close()
			st, err := s.CreateStudy(ctx, spec)
			if err != nil {
				return err
			}
			fmt.Fprintf(c.env.Stdout, "study %d %q: %d items, %d turns to vote\n", st.ID, st.Name, st.Items, st.Units)
			return nil
		}),
	}
	f := cmd.Flags()
	f.StringVar(&spec.Name, "name", "", "the study's name (unique)")
	f.StringVar(&models, "models", "", "compare every pair of these models (comma-separated)")
	f.StringVar(&pairs, "pairs", "", "explicit pairs a:b,c:d (instead of --models)")
	f.StringVar(&cats, "categories", "", "only these categories (default: all)")
	f.StringVar(&turns, "turns", "", "comma-separated turns to vote (default: every turn each question has)")
	f.IntVar(&spec.Sample, "sample", 0, "draw this many items, stratified by category (0: all)")
	f.Int64Var(&spec.Seed, "seed", 1, "seed for sampling and every annotator's order")
	f.BoolVar(&spec.ShowReference, "show-reference", false, "show reference answers for math, reasoning and coding")
	f.StringVar(&spec.Instructions, "instructions", "", "instructions shown to annotators")
	return cmd
}

func (c *cli) studyListCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the studies, newest first, with their current votes",
		Args:  noArgs,
		RunE: c.run(func(ctx context.Context, cmd *cobra.Command, args []string) error {
			s, err := c.openExisting("study list")
			if err != nil {
				return err
			}
			defer s.Close()
			sts, err := s.StudyList(ctx)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(c.env.Stdout, sts)
			}
			tw := tabwriter.NewWriter(c.env.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tNAME\tITEMS\tTURNS\tVOTES\tANNOTATORS\tCREATED")
			for _, st := range sts {
				fmt.Fprintf(tw, "%d\t%s\t%d\t%d\t%d\t%d\t%s\n", st.ID, st.Name, st.Items, st.Units, st.Activity.Votes,
					st.Activity.Annotators, st.CreatedAt.Format("2006-01-02 15:04"))
			}
			return tw.Flush()
		}),
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the list as JSON")
	return cmd
}
