package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/wailsapp/wails/v2/pkg/runtime"

	"concord/judge/audit"
	"concord/store"
)

// ReportOptions selects what an audit report covers.
type ReportOptions struct {
	Judge     string `json:"judge"`             // judge name; "" = the only judge in the database
	Humans    string `json:"humans"`            // annotator group; "" or "all" = every human
	Turn      int    `json:"turn"`              // 1 or 2; 0 = all turns
	Bootstrap int    `json:"bootstrap"`         // resamples; 0 = 1,000, negative = no intervals
	Seed      uint64 `json:"seed"`              // bootstrap seed
	Compare   string `json:"compare,omitempty"` // "A,B" or a second judge: judge vs judge (report_compare.go)
}

// Report computes the audit report from the store.
func (a *App) Report(opts ReportOptions) (*audit.Report, error) {
	rep, err := buildReport(a.ctx, a.store, opts)
	if err != nil {
		return nil, err
	}
	return rep, nil
}

// gameLabel is the audit's label of a judge's game: NoLabel when it was not
// played, Error when its winner does not parse.
func gameLabel(g *store.Game) audit.Label {
	if g == nil {
		return audit.NoLabel
	}
	l, err := audit.ParseLabel(g.Winner)
	if err != nil {
		return audit.Error
	}
	return l
}

func buildReport(ctx context.Context, s *store.Store, opts ReportOptions) (*audit.Report, error) {
	if opts.Turn < 0 {
		return nil, fmt.Errorf("report: turn %d: want 1, 2 or 0 for all", opts.Turn)
	}
	judge, err := resolveJudge(ctx, s, opts.Judge)
	switch {
	case errors.Is(err, errNoJudge):
		judge = "" // a report of the humans alone
	case err != nil:
		return nil, fmt.Errorf("report: %w", err)
	}
	group := opts.Humans
	if group == "all" {
		group = ""
	}
	sc, err := loadAnnotatorScope(ctx, s)
	if err != nil {
		return nil, err
	}
	in, err := loadAuditInput(ctx, s, judge, group, sc)
	if err != nil {
		return nil, err
	}
	ao := audit.DefaultOptions()
	ao.Humans, ao.Turn, ao.Bootstrap, ao.Seed = group, opts.Turn, opts.Bootstrap, opts.Seed
	scores := make(chan *audit.ScoresSection, 1) // beside the rest: both only read the input
	go func() { scores <- audit.ComputeScores(in.ratings, in.votes, in.verdicts, ao) }()
	r := audit.Compute(in.votes, in.verdicts, ao)
	r.Scores = <-scores
	r.Warnings = append(in.warnings, r.Warnings...)
	if err := addReportExtras(ctx, s, r, judge, group, opts, ao); err != nil {
		return nil, err
	}
	if err := addAnnotatorAudit(r, in, sc, ao); err != nil {
		return nil, err
	}
	return r, nil
}

type auditInput struct {
	votes    []audit.HumanVote
	verdicts []audit.JudgeVerdict
	ratings  []audit.Rating
	warnings []audit.Warning
}

// unitFacts are what the audit needs to know of questions and answers: each
// question's category and each answer's length in runes, per turn.
type unitFacts struct {
	category map[int]string
	key      map[int]string // question id -> key, as the user knows it
	lengths  map[answerKey][]int
	texts    map[answerKey][]string // the answers' turns, for the style of rated answers
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
	f := &unitFacts{category: make(map[int]string, len(questions)), key: make(map[int]string, len(questions))}
	for _, q := range questions {
		f.category[q.ID] = q.Category
		f.key[q.ID] = q.Key
	}
	answers, err := s.Answers(ctx)
	if err != nil {
		return nil, err
	}
	f.lengths = make(map[answerKey][]int, len(answers))
	f.texts = make(map[answerKey][]string, len(answers))
	for _, a := range answers {
		f.texts[answerKey{a.QuestionID, a.Model}] = a.Turns
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
// Votes of annotators excluded from their study (sc) are left out.
func loadAuditInput(ctx context.Context, s *store.Store, judge, group string, sc *annotatorScope) (*auditInput, error) {
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
		if !sc.keep(&v) {
			continue
		}
		l, err := audit.ParseLabel(v.Winner)
		if err != nil {
			bad++
			continue
		}
		in.votes = append(in.votes, audit.HumanVote{
			Question: v.QuestionID, Category: category[v.QuestionID], ModelA: v.ModelA, ModelB: v.ModelB, Turn: v.Turn,
			Choice: l, Annotator: v.Annotator, Group: v.Group, Left: v.Left, TimeMS: v.TimeMS,
			LenA: length(v.QuestionID, v.ModelA, v.Turn), LenB: length(v.QuestionID, v.ModelB, v.Turn),
		})
	}
	if judge != "" {
		verdicts, err := s.Verdicts(ctx, judge)
		if err != nil {
			return nil, fmt.Errorf("report: verdicts: %w", err)
		}
		for _, v := range verdicts {
			comb, err := audit.ParseLabel(v.Combined)
			if err != nil {
				bad++
				continue
			}
			in.verdicts = append(in.verdicts, audit.JudgeVerdict{
				Judge: v.Judge, Question: v.QuestionID, Category: category[v.QuestionID], ModelA: v.Model1, ModelB: v.Model2, Turn: v.Turn,
				G1: gameLabel(v.G1), G2: gameLabel(v.G2), Combined: comb,
				LenA: length(v.QuestionID, v.Model1, v.Turn), LenB: length(v.QuestionID, v.Model2, v.Turn),
			})
		}
	}
	if in.ratings, err = loadRatings(ctx, s, judge, facts); err != nil {
		return nil, err
	}
	if bad > 0 {
		in.warnings = append(in.warnings, audit.Warning{Section: audit.SectionGeneral,
			Message: fmt.Sprintf("%d votes or verdicts with an unknown winner were skipped", bad)})
	}
	return in, nil
}

// errNoJudge is resolveJudge's answer when the database has no verdicts.
var errNoJudge = errors.New("the database has no judge verdicts")

// resolveJudge is the one rule for choosing a judge, in the window and on the
// command line: a named judge must be in the database; "" means the only one
// that is not an experiment's probe judge (a probe re-judges under a derived
// name, which never becomes the default).
func resolveJudge(ctx context.Context, s *store.Store, judge string) (string, error) {
	all, err := s.Judges(ctx)
	if err != nil {
		return "", err
	}
	if judge != "" && !slices.Contains(all, judge) {
		return "", fmt.Errorf("unknown judge %q (the database has: %s)", judge, strings.Join(all, ", "))
	}
	if judge != "" {
		return judge, nil
	}
	exps, err := s.Experiments(ctx, "")
	if err != nil {
		return "", err
	}
	var judges []string
	for _, j := range all {
		if !slices.ContainsFunc(exps, func(e store.Experiment) bool { return e.ProbeJudge == j }) {
			judges = append(judges, j)
		}
	}
	switch {
	case judge == "" && len(judges) == 1:
		return judges[0], nil
	case judge == "" && len(judges) == 0:
		return "", errNoJudge
	case judge == "":
		return "", fmt.Errorf("the database has several judges (%s): choose one (--judge NAME)", strings.Join(judges, ", "))
	}
	return judge, nil
}

// reportFormats are the report's output formats, with their file extensions.
var reportFormats = map[string]string{"text": "txt", "markdown": "md", "md": "md", "html": "html", "json": "json"}

// reportWriter is the one switch from a format name to its renderer, for
// the window's exports and the command line. The HTML report reads each
// disagreement's answers and votes from s.
func reportWriter(format string) (func(ctx context.Context, w io.Writer, s *store.Store, r *audit.Report) error, error) {
	switch format {
	case "text":
		return plain(audit.WriteText), nil
	case "markdown", "md":
		return plain(audit.WriteMarkdown), nil
	case "html":
		return writeReportHTML, nil
	case "json":
		return plain(func(w io.Writer, r *audit.Report) error { return writeJSON(w, r) }), nil
	}
	return nil, fmt.Errorf("unknown format %q (want text, markdown, html or json)", format)
}

// plain adapts a renderer that needs nothing but the report.
func plain(write func(io.Writer, *audit.Report) error) func(context.Context, io.Writer, *store.Store, *audit.Report) error {
	return func(_ context.Context, w io.Writer, _ *store.Store, r *audit.Report) error { return write(w, r) }
}

// ExportReportHTML asks where to save and writes the standalone HTML report
// there; "" when the dialog was cancelled.
func (a *App) ExportReportHTML(opts ReportOptions) (string, error) {
	return a.exportReport(opts, "html")
}

// ExportReportMarkdown asks where to save and writes the Markdown report there;
// "" when the dialog was cancelled.
func (a *App) ExportReportMarkdown(opts ReportOptions) (string, error) {
	return a.exportReport(opts, "markdown")
}

// saveDialog is the save-file picker the exports need.
type saveDialog interface {
	SaveFile(title, defaultName, pattern string) (string, error)
}

func (d wailsDialogs) SaveFile(title, defaultName, pattern string) (string, error) {
	return runtime.SaveFileDialog(d.ctx, runtime.SaveDialogOptions{
		Title: title, DefaultFilename: defaultName,
		Filters: []runtime.FileFilter{{DisplayName: pattern, Pattern: pattern}},
	})
}

// exportReport asks where to save and writes the report there in format,
// atomically, as the command line does.
func (a *App) exportReport(opts ReportOptions, format string) (string, error) {
	write, err := reportWriter(format)
	if err != nil {
		return "", fmt.Errorf("export report: %w", err)
	}
	sd, ok := a.dialogs.(saveDialog)
	if !ok || sd == nil {
		return "", errors.New("export report: no window: the save dialog needs the desktop app (use concord report --format " + format + ")")
	}
	ext := reportFormats[format]
	name := "concord-report"
	if opts.Judge != "" {
		name += "-" + safeName(opts.Judge)
	}
	if opts.Humans != "" && opts.Humans != "all" {
		name += "-" + safeName(opts.Humans)
	}
	if opts.Turn > 0 {
		name += fmt.Sprintf("-turn%d", opts.Turn)
	}
	path, err := sd.SaveFile("Export the audit report", name+"."+ext, "*."+ext)
	if err != nil {
		return "", fmt.Errorf("export report: %w", err)
	}
	if path == "" {
		return "", nil
	}
	r, err := buildReport(a.ctx, a.store, opts)
	if err != nil {
		return "", err
	}
	if err := writeFileAtomic(path, func(w io.Writer) error { return write(a.ctx, w, a.store, r) }); err != nil {
		return "", fmt.Errorf("export report: %w", err)
	}
	return path, nil
}

// safeName keeps letters, digits, dot, dash and underscore for a file name.
func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			return r
		}
		return '_'
	}, s)
}
