package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
)

func (c *cli) infoCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "info",
		Short:   "Print what the database holds",
		GroupID: "data",
		Args:    noArgs,
		RunE: c.run(func(ctx context.Context, cmd *cobra.Command, args []string) error {
			s, err := c.openExisting("info")
			if err != nil {
				return err
			}
			defer s.Close()
			in, err := s.Info(ctx)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(c.env.Stdout, in)
			}
			w := c.env.Stdout
			fmt.Fprintf(w, "database   %s (schema %d)%s\n", in.DBPath, in.SchemaVersion, map[bool]string{true: " [demo data]"}[in.Demo])
			fmt.Fprintf(w, "written by Concord %s (created by %s)\n", orUnknown(in.WrittenBy), orUnknown(in.CreatedBy))
			fmt.Fprintf(w, "questions  %d", in.Questions)
			var cats []string
			for _, c := range in.Categories {
				cats = append(cats, fmt.Sprintf("%s %d", c.Name, c.Count))
			}
			if len(cats) > 0 {
				fmt.Fprintf(w, " (%s)", strings.Join(cats, ", "))
			}
			fmt.Fprintln(w)
			fmt.Fprintf(w, "models     %d\n", in.Models)
			fmt.Fprintf(w, "answers    %d\n", in.Answers)
			fmt.Fprintf(w, "prompts    %d\n", in.Prompts)
			fmt.Fprintf(w, "votes      %d human votes from %d annotators", in.HumanVotes, in.Annotators)
			var groups []string
			for _, g := range in.Groups {
				groups = append(groups, fmt.Sprintf("%s: %d annotators, %d votes", g.Group, g.Annotators, g.Votes))
			}
			if len(groups) > 0 {
				fmt.Fprintf(w, " (%s)", strings.Join(groups, "; "))
			}
			fmt.Fprintln(w)
			for _, j := range in.Judges {
				fmt.Fprintf(w, "judge      %s: %d verdicts (%d in both orders, %d errors)\n", j.Name, j.Verdicts, j.BothOrder, j.Errors)
			}
			for _, r := range in.Ratings {
				fmt.Fprintf(w, "ratings    %s: %d single-answer ratings (%d errors)\n", r.Name, r.Ratings, r.Errors)
			}
			return nil
		}),
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the counts as JSON")
	return cmd
}

// orUnknown names an unrecorded version (databases made before versions were recorded).
func orUnknown(v string) string {
	if v == "" {
		return "unknown (before 0004_meta)"
	}
	return v
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
