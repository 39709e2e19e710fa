package app

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"concord/store"
)

func init() {
	register(Command{Name: "export", Summary: "export votes, verdicts or everything in the published formats", Run: runExport})
}

func runExport(ctx context.Context, env *Env, args []string) error {
	usage := "votes [--format jsonl|json|csv] [--humans GROUP] [--out FILE]\n       concord export verdicts [--format pair|hf] [--judge NAME] [--out FILE]\n       concord export bundle --out DIR"
	if len(args) == 0 {
		fmt.Fprintln(env.Stderr, "Usage: concord export", usage)
		return fmt.Errorf("%w: export needs what to export: votes, verdicts or bundle", ErrUsage)
	}
	what := args[0]
	fs := newFlags(env, "export "+what, "[flags]")
	out := fs.String("out", "", "write to this file (default: standard output); for bundle, a folder")
	format := fs.String("format", "", "votes: jsonl (Hugging Face shape with conversations; default), json (the same as one array, for compute_agreement.py) or csv (labels only)\nverdicts: pair (FastChat's model_judgment format, both orders; default) or hf (combined verdicts as the Hugging Face gpt4_pair JSON array, for compute_agreement.py)")
	group := fs.String("humans", "", "votes: only this annotator group (e.g. expert)")
	judge := fs.String("judge", "", "verdicts: only this judge")
	if _, err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if _, err := os.Stat(env.DBPath); err != nil {
		return fmt.Errorf("export: no database at %s", env.DBPath)
	}
	s, err := env.OpenStore()
	if err != nil {
		return err
	}
	defer s.Close()
	switch what {
	case "bundle":
		if *out == "" {
			return fmt.Errorf("%w: export bundle needs --out DIR", ErrUsage)
		}
		return s.ExportBundle(ctx, *out)
	case "votes":
		f := *format
		if f == "" {
			f = "jsonl"
		}
		return writeOut(env, *out, func(w io.Writer) error { return s.ExportVotes(ctx, w, f, *group) })
	case "verdicts":
		if *judge != "" {
			if err := knownJudge(ctx, s, *judge); err != nil {
				return err
			}
		}
		switch *format {
		case "", "pair":
			return writeOut(env, *out, func(w io.Writer) error { return s.ExportVerdicts(ctx, w, *judge) })
		case "hf":
			return writeOut(env, *out, func(w io.Writer) error { return s.ExportVerdictsHF(ctx, w, *judge) })
		}
		return fmt.Errorf("%w: unknown verdicts format %q (want pair or hf)", ErrUsage, *format)
	}
	return fmt.Errorf("%w: unknown export %q (want votes, verdicts or bundle)", ErrUsage, what)
}

func knownJudge(ctx context.Context, s *store.Store, name string) error {
	judges, err := s.Judges(ctx)
	if err != nil {
		return err
	}
	for _, j := range judges {
		if j == name {
			return nil
		}
	}
	return fmt.Errorf("unknown judge %q (the database has: %v)", name, judges)
}

// writeOut writes to standard output, or to a file that appears only when
// complete (written beside it, then renamed).
func writeOut(env *Env, path string, fill func(io.Writer) error) error {
	if path == "" || path == "-" {
		return fill(env.Stdout)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := fill(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("export %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("export %s: %w", path, err)
	}
	return nil
}
