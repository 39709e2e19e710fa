package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"concord/judge/audit"
	"concord/store"
)

func init() {
	register(Command{Name: "report", Summary: "audit a judge against the human votes (text, markdown, html or json)", Run: runReport})
}

// ReportOptions selects what an audit report covers.
type ReportOptions struct {
	Judge     string `json:"judge"`     // judge name; "" = the only judge in the database
	Humans    string `json:"humans"`    // annotator group; "" or "all" = every human
	Turn      int    `json:"turn"`      // 1 or 2; 0 = all turns
	Bootstrap int    `json:"bootstrap"` // resamples; 0 = 1,000, negative = no intervals
	Seed      uint64 `json:"seed"`      // bootstrap seed
}

// Report computes the audit report from the store.
func (a *App) Report(opts ReportOptions) (*audit.Report, error) {
	return buildReport(a.ctx, a.store, opts)
}

func buildReport(ctx context.Context, s *store.Store, opts ReportOptions) (*audit.Report, error) {
	if opts.Turn < 0 {
		return nil, fmt.Errorf("report: turn %d: want 1, 2 or 0 for all", opts.Turn)
	}
	judges, err := s.Judges(ctx)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	judge := opts.Judge
	switch {
	case judge == "" && len(judges) == 1:
		judge = judges[0]
	case judge == "" && len(judges) > 1:
		return nil, fmt.Errorf("report: the database has several judges (%s): choose one with --judge", strings.Join(judges, ", "))
	case judge != "":
		found := false
		for _, j := range judges {
			found = found || j == judge
		}
		if !found {
			return nil, fmt.Errorf("report: unknown judge %q (the database has: %s)", judge, strings.Join(judges, ", "))
		}
	}
	group := opts.Humans
	if group == "all" {
		group = ""
	}
	in, err := loadAuditInput(ctx, s, judge, group)
	if err != nil {
		return nil, err
	}
	ao := audit.DefaultOptions()
	ao.Humans, ao.Turn, ao.Seed = group, opts.Turn, opts.Seed
	switch {
	case opts.Bootstrap < 0:
		ao.Bootstrap = 0
	case opts.Bootstrap > 0:
		ao.Bootstrap = opts.Bootstrap
	}
	r := audit.Compute(in.votes, in.verdicts, ao)
	r.Warnings = append(in.warnings, r.Warnings...)
	return r, nil
}

type auditInput struct {
	votes    []audit.HumanVote
	verdicts []audit.JudgeVerdict
	warnings []audit.Warning
}

// unitFacts are what the audit needs to know of questions and answers: each
// question's category and each answer's length in runes, per turn.
type unitFacts struct {
	category map[int]string
	lengths  map[answerKey][]int
}

type answerKey struct {
	question int
	model    string
}

// length is the rune count of model's answer to turn of question (0 if none).
func (f *unitFacts) length(question int, model string, turn int) int {
	if ls := f.lengths[answerKey{question, model}]; turn >= 1 && turn <= len(ls) {
		return ls[turn-1]
	}
	return 0
}

func loadUnitFacts(ctx context.Context, s *store.Store) (*unitFacts, error) {
	questions, err := s.Questions(ctx)
	if err != nil {
		return nil, err
	}
	f := &unitFacts{category: make(map[int]string, len(questions))}
	for _, q := range questions {
		f.category[q.ID] = q.Category
	}
	answers, err := s.Answers(ctx)
	if err != nil {
		return nil, err
	}
	f.lengths = make(map[answerKey][]int, len(answers))
	for _, a := range answers {
		ls := make([]int, len(a.Turns))
		for i, t := range a.Turns {
			ls[i] = utf8.RuneCountInString(t)
		}
		f.lengths[answerKey{a.QuestionID, a.Model}] = ls
	}
	return f, nil
}

// loadAuditInput reads votes, verdicts, categories and answer lengths and turns
// them into the audit's plain values.
func loadAuditInput(ctx context.Context, s *store.Store, judge, group string) (*auditInput, error) {
	facts, err := loadUnitFacts(ctx, s)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	category, length := facts.category, facts.length
	in := &auditInput{}
	votes, err := s.Votes(ctx, group)
	if err != nil {
		return nil, fmt.Errorf("report: votes: %w", err)
	}
	bad := 0
	for _, v := range votes {
		l, err := audit.ParseLabel(v.Winner)
		if err != nil {
			bad++
			continue
		}
		in.votes = append(in.votes, audit.HumanVote{
			Question: v.QuestionID, Category: category[v.QuestionID], ModelA: v.ModelA, ModelB: v.ModelB, Turn: v.Turn,
			Verdict: l, Annotator: v.Annotator, Group: v.Group, Left: v.Left, TimeMS: v.TimeMS,
			LenA: length(v.QuestionID, v.ModelA, v.Turn), LenB: length(v.QuestionID, v.ModelB, v.Turn),
		})
	}
	if judge != "" {
		verdicts, err := s.Verdicts(ctx, judge)
		if err != nil {
			return nil, fmt.Errorf("report: verdicts: %w", err)
		}
		game := func(g *store.Game) audit.Label {
			if g == nil {
				return audit.NoLabel
			}
			l, err := audit.ParseLabel(g.Winner)
			if err != nil {
				return audit.Error
			}
			return l
		}
		for _, v := range verdicts {
			comb, err := audit.ParseLabel(v.Combined)
			if err != nil {
				bad++
				continue
			}
			in.verdicts = append(in.verdicts, audit.JudgeVerdict{
				Judge: v.Judge, Question: v.QuestionID, Category: category[v.QuestionID], ModelA: v.Model1, ModelB: v.Model2, Turn: v.Turn,
				G1: game(v.G1), G2: game(v.G2), Combined: comb,
				LenA: length(v.QuestionID, v.Model1, v.Turn), LenB: length(v.QuestionID, v.Model2, v.Turn),
			})
		}
	}
	if bad > 0 {
		in.warnings = append(in.warnings, audit.Warning{Section: audit.SectionGeneral,
			Message: fmt.Sprintf("%d votes or verdicts with an unknown winner were skipped", bad)})
	}
	return in, nil
}

func runReport(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "report", "[--format text|json|markdown|html] [--judge NAME] [--humans GROUP] [--turn 1|2] [--bootstrap N] [--seed N]")
	format := fs.String("format", "text", "text (terminal summary), markdown (shareable audit document), html (the report screen as one standalone file) or json (see judge/audit/SCHEMA.md)")
	judge := fs.String("judge", "", "the judge to audit (default: the only judge in the database)")
	humans := fs.String("humans", "all", "annotator group to compare with (e.g. expert), or all")
	turn := fs.Int("turn", 0, "only this turn (1 or 2); default both")
	boot := fs.Int("bootstrap", 1000, "bootstrap resamples of questions for the intervals (0: none)")
	seed := fs.Uint64("seed", 1, "bootstrap seed (the same seed gives the same report)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: report takes no arguments (got %q)", ErrUsage, pos)
	}
	var s *store.Store // opened below, once the flags are checked
	var write func(io.Writer, *audit.Report) error
	switch *format {
	case "text":
		write = audit.WriteText
	case "markdown", "md":
		write = audit.WriteMarkdown
	case "html":
		write = func(w io.Writer, r *audit.Report) error { return writeReportHTML(ctx, w, s, r) }
	case "json":
		write = func(w io.Writer, r *audit.Report) error {
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			return enc.Encode(r)
		}
	default:
		return fmt.Errorf("%w: unknown format %q (want text, markdown, html or json)", ErrUsage, *format)
	}
	if *turn < 0 || *turn > 2 {
		return fmt.Errorf("%w: --turn %d: want 1 or 2", ErrUsage, *turn)
	}
	if *boot < 0 {
		return fmt.Errorf("%w: --bootstrap %d: want 0 or more", ErrUsage, *boot)
	}
	if *boot == 0 {
		*boot = -1
	}
	s, err = env.OpenStore()
	if err != nil {
		return err
	}
	defer s.Close()
	r, err := buildReport(ctx, s, ReportOptions{Judge: *judge, Humans: *humans, Turn: *turn, Bootstrap: *boot, Seed: *seed})
	if err != nil {
		return err
	}
	if err := write(env.Stdout, r); err != nil {
		return fmt.Errorf("report: write: %w", err)
	}
	return nil
}
