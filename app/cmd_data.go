package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"concord/store"
)

func init() {
	register(Command{Name: "import", Summary: "import MT-Bench / FastChat / Hugging Face files or folders", Run: runImport})
	register(Command{Name: "info", Summary: "print what the database holds", Run: runInfo})
}

func runImport(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "import", "[--replace] [--json] PATH...")
	replace := fs.Bool("replace", false, "overwrite records whose key exists with different content")
	asJSON := fs.Bool("json", false, "print the import report as JSON")
	paths, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		fs.Usage()
		return fmt.Errorf("%w: import needs at least one file or folder", ErrUsage)
	}
	s, err := env.OpenStore()
	if err != nil {
		return err
	}
	defer s.Close()
	opts := store.ImportOptions{Replace: *replace}
	if env.IsTerminal && !*asJSON {
		opts.Progress = func(p store.ImportProgress) {
			fmt.Fprintf(env.Stderr, "\r\033[K[%d/%d] %s: %d records", p.DoneFiles, p.TotalFiles, p.File, p.Records)
		}
	}
	rep, err := s.Import(ctx, paths, opts)
	if opts.Progress != nil {
		fmt.Fprint(env.Stderr, "\r\033[K")
	}
	if err != nil {
		return fmt.Errorf("%w (nothing was written)", err)
	}
	if *asJSON {
		return writeJSON(env.Stdout, rep)
	}
	printImportReport(env.Stdout, rep)
	return nil
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

func runInfo(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "info", "[--json]")
	asJSON := fs.Bool("json", false, "print the counts as JSON")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if _, err := os.Stat(env.DBPath); err != nil {
		return fmt.Errorf("info: no database at %s (import something first, or pass --db)", env.DBPath)
	}
	s, err := env.OpenStore()
	if err != nil {
		return err
	}
	defer s.Close()
	in, err := s.Info(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(env.Stdout, in)
	}
	w := env.Stdout
	fmt.Fprintf(w, "database   %s (schema %d)%s\n", in.DBPath, in.SchemaVersion, map[bool]string{true: " [demo data]"}[in.Demo])
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
	return nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
