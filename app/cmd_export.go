package app

import (
	"context"
	"io"

	"github.com/spf13/cobra"

	"concord/store"
)

func (c *cli) exportCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "export",
		Short:   "Export votes, verdicts, ratings or everything in the published formats",
		GroupID: "data",
		RunE: c.run(func(ctx context.Context, cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("export needs what to export: votes, verdicts, ratings or bundle")
			}
			return usagef("unknown export %q (want votes, verdicts, ratings or bundle)", args[0])
		}),
	}
	var out, format, group, judgeName string
	votes := &cobra.Command{
		Use:   "votes [--format jsonl|json|csv] [--humans GROUP] [--out FILE]",
		Short: "Export the current human votes",
		Args:  noArgs,
		RunE: c.run(func(ctx context.Context, cmd *cobra.Command, args []string) error {
			if format == "" {
				format = "jsonl"
			}
			s, err := c.openExisting("export")
			if err != nil {
				return err
			}
			defer s.Close()
			return writeOut(c.env.Stdout, out, func(w io.Writer) error { return s.ExportVotes(ctx, w, format, group) })
		}),
	}
	votes.Flags().StringVar(&format, "format", "", "jsonl (Hugging Face shape with conversations; default), json (the same as one array, for compute_agreement.py) or csv (labels only)")
	votes.Flags().StringVar(&group, "humans", "", "only this annotator group (e.g. expert)")
	votes.Flags().StringVar(&out, "out", "", "write to this file, complete or not at all (default: standard output)")
	_ = votes.RegisterFlagCompletionFunc("format", cobra.FixedCompletions([]string{"jsonl", "json", "csv"}, cobra.ShellCompDirectiveNoFileComp))

	verdicts := &cobra.Command{
		Use:   "verdicts [--format pair|hf] [--judge NAME] [--out FILE]",
		Short: "Export judge verdicts",
		Args:  noArgs,
		RunE: c.run(func(ctx context.Context, cmd *cobra.Command, args []string) error {
			if format != "" && format != "pair" && format != "hf" {
				return usagef("unknown verdicts format %q (want pair or hf)", format)
			}
			s, err := c.openExisting("export")
			if err != nil {
				return err
			}
			defer s.Close()
			if judgeName != "" {
				if _, err := resolveJudge(ctx, s, judgeName); err != nil {
					return err
				}
			}
			if format == "hf" {
				return writeOut(c.env.Stdout, out, func(w io.Writer) error { return s.ExportVerdictsHF(ctx, w, judgeName) })
			}
			return writeOut(c.env.Stdout, out, func(w io.Writer) error { return s.ExportVerdicts(ctx, w, judgeName) })
		}),
	}
	verdicts.Flags().StringVar(&format, "format", "", "pair (FastChat's model_judgment format, both orders; default) or hf (combined verdicts as the Hugging Face gpt4_pair JSON array, for compute_agreement.py)")
	verdicts.Flags().StringVar(&judgeName, "judge", "", "only this judge")
	verdicts.Flags().StringVar(&out, "out", "", "write to this file, complete or not at all (default: standard output)")
	_ = verdicts.RegisterFlagCompletionFunc("format", cobra.FixedCompletions([]string{"pair", "hf"}, cobra.ShellCompDirectiveNoFileComp))
	_ = verdicts.RegisterFlagCompletionFunc("judge", c.completeJudges)

	ratings := &cobra.Command{
		Use:   "ratings [--format single|csv] [--judge NAME] [--out FILE]",
		Short: "Export single-answer ratings",
		Args:  noArgs,
		RunE: c.run(func(ctx context.Context, cmd *cobra.Command, args []string) error {
			if format == "" {
				format = store.RatingFormatSingle
			}
			if format != store.RatingFormatSingle && format != store.RatingFormatCSV {
				return usagef("unknown ratings format %q (want single or csv)", format)
			}
			s, err := c.openExisting("export")
			if err != nil {
				return err
			}
			defer s.Close()
			if judgeName != "" {
				if _, err := resolveJudge(ctx, s, judgeName); err != nil {
					return err
				}
			}
			return writeOut(c.env.Stdout, out, func(w io.Writer) error { return s.ExportRatings(ctx, w, judgeName, format) })
		}),
	}
	ratings.Flags().StringVar(&format, "format", "", "single (FastChat's model_judgment/*_single.jsonl, which show_result.py reads; errors as score -1; default) or csv (one row per rating)")
	ratings.Flags().StringVar(&judgeName, "judge", "", "only this judge")
	ratings.Flags().StringVar(&out, "out", "", "write to this file, complete or not at all (default: standard output)")
	_ = ratings.RegisterFlagCompletionFunc("format", cobra.FixedCompletions([]string{"single", "csv"}, cobra.ShellCompDirectiveNoFileComp))
	_ = ratings.RegisterFlagCompletionFunc("judge", c.completeJudges)

	bundle := &cobra.Command{
		Use:   "bundle --out DIR",
		Short: "Export everything in FastChat's layout (re-importable)",
		Args:  noArgs,
		RunE: c.run(func(ctx context.Context, cmd *cobra.Command, args []string) error {
			if out == "" {
				return usagef("export bundle needs --out DIR")
			}
			s, err := c.openExisting("export")
			if err != nil {
				return err
			}
			defer s.Close()
			return s.ExportBundle(ctx, out)
		}),
	}
	bundle.Flags().StringVar(&out, "out", "", "the folder to write")
	_ = bundle.MarkFlagDirname("out")
	cmd.AddCommand(votes, verdicts, ratings, bundle)
	return cmd
}
