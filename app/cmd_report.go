package app

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
)

func (c *cli) reportCmd() *cobra.Command {
	var format, judgeName, humans, compare string
	var turn, boot int
	var seed uint64
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Audit a judge against the human votes (text, markdown, html or json)",
		Long: `Audit a judge against the human votes: agreement with intervals, position and
length bias, leaderboards, close calls. The JSON shape is documented in
judge/audit/SCHEMA.md.`,
		Example: "  concord report --humans expert\n  concord report --format html --judge gpt-4 > report.html\n  concord report --compare gpt-4,gpt-3.5 --format markdown",
		GroupID: "audit",
		Args:    noArgs,
		RunE: c.run(func(ctx context.Context, cmd *cobra.Command, args []string) error {
			write, err := reportWriter(format)
			if err != nil {
				return usagef("--format: %v", err)
			}
			if turn < 0 || turn > 2 {
				return usagef("--turn %d: want 1 or 2", turn)
			}
			if boot < 0 {
				return usagef("--bootstrap %d: want 0 or more", boot)
			}
			if boot == 0 {
				boot = -1
			}
			s, err := c.openExisting("report")
			if err != nil {
				return err
			}
			defer s.Close()
			p := c.progress(true)
			p.show("computing the report (%d bootstrap resamples)...", max(boot, 0))
			r, err := buildReport(ctx, s, ReportOptions{Judge: judgeName, Humans: humans, Turn: turn, Bootstrap: boot, Seed: seed, Compare: compare})
			p.clear()
			if err != nil {
				return err
			}
			if err := write(ctx, c.env.Stdout, s, r); err != nil {
				return fmt.Errorf("report: write: %w", err)
			}
			return nil
		}),
	}
	f := cmd.Flags()
	f.StringVar(&format, "format", "text", "text (terminal summary), markdown (shareable audit document), html (standalone page with charts) or json (see judge/audit/SCHEMA.md)")
	f.StringVar(&judgeName, "judge", "", "the judge to audit (default: the only judge in the database)")
	f.StringVar(&humans, "humans", "all", "annotator group to compare with (e.g. expert), or all")
	f.IntVar(&turn, "turn", 0, "only this turn (1 or 2); default both")
	f.IntVar(&boot, "bootstrap", 1000, "bootstrap resamples of questions for the intervals (0: none)")
	f.StringVar(&compare, "compare", "", "JUDGE_A,JUDGE_B: compare two judges on the units both judged (agreement, paired difference, McNemar)")
	f.Uint64Var(&seed, "seed", 1, "bootstrap seed (the same seed gives the same report)")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions([]string{"text", "markdown", "html", "json"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("judge", c.completeJudges)
	_ = cmd.RegisterFlagCompletionFunc("compare", c.completeJudges)
	_ = cmd.RegisterFlagCompletionFunc("turn", cobra.FixedCompletions([]string{"1", "2"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// completeJudges offers the database's judges for --judge.
func (c *cli) completeJudges(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if c.db != "" {
		c.env.DBPath = c.db
	}
	s, err := c.openExisting("complete")
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	defer s.Close()
	judges, err := s.Judges(cmd.Context())
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return judges, cobra.ShellCompDirectiveNoFileComp
}
