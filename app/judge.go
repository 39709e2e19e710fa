package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"concord/judge"
	"concord/store"
)

// Judge events the window subscribes to. Both carry a JudgeStatus whose
// (RunID, Seq) orders it: events may be delivered out of order (the dev
// server sends each from its own goroutine), so the window keeps the status
// with the highest pair. judge:done carries the run's final counters and the
// highest Seq of its run; no progress event of the run follows it.
const (
	EventJudgeProgress = "judge:progress" // JudgeStatus, about 4 times a second
	EventJudgeDone     = "judge:done"     // JudgeStatus, once when a run ends
)

// Outcomes of a judge run (JudgeStatus.Outcome).
const (
	OutcomeRunning   = "running"
	OutcomeFinished  = "finished"  // every planned game was run (some may be stored as errors)
	OutcomeCancelled = "cancelled" // cancelled by the user or at shutdown; resumable
	OutcomeStopped   = "stopped"   // a fatal error stopped it (Error says which); resumable once fixed
)

// DefaultAPIKeyEnv is the environment variable the API key is read from.
const DefaultAPIKeyEnv = "OPENAI_API_KEY"

// JudgeRequest configures a judge run, from the window or the command line.
type JudgeRequest struct {
	Name        string   `json:"name"` // defaults to Model
	BaseURL     string   `json:"baseUrl"`
	Model       string   `json:"model"`
	Temperature float32  `json:"temperature"`
	MaxTokens   int      `json:"maxTokens"` // 0: judge.DefaultMaxTokens
	Prompt      string   `json:"prompt"`    // "concord" (default), "fastchat" or a prompt name
	Models      []string `json:"models"`    // all pairs among these; empty: all models
	Pairs       []string `json:"pairs"`     // "a:b"; overrides Models
	Turns       []int    `json:"turns"`     // default 1, 2
	Categories  []string `json:"categories"`
	QuestionIDs []int    `json:"questionIds"`
	StudyID     int64    `json:"studyId"` // judge exactly this study's (question, pair, turn) units; the fields above are ignored
	Concurrency int      `json:"concurrency"`
	RPM         int      `json:"rpm"`
	TPM         int      `json:"tpm"`
	TimeoutSec  float64  `json:"timeoutSec"`
	APIKeyEnv   string   `json:"apiKeyEnv"` // default OPENAI_API_KEY
}

// JudgePlan is a dry run: what a run would do. It never holds the key.
type JudgePlan struct {
	judge.Estimate
	Judge     string `json:"judge"`
	Model     string `json:"model"`
	PromptSet string `json:"promptSet"`
	KeySource string `json:"keySource"` // "env OPENAI_API_KEY", "key file", or "none"
	PriceFile string `json:"priceFile"`
}

// JudgeStatus is the state of the window's judge run.
type JudgeStatus struct {
	Running bool   `json:"running"`
	RunID   int64  `json:"runId"`
	Seq     int64  `json:"seq"`     // grows with every change of the run's status: of two statuses of a run, the higher is newer
	Outcome string `json:"outcome"` // one of the Outcome constants
	Judge   string `json:"judge"`
	// Progress holds the run's final counters once Running is false.
	Progress judge.Progress `json:"progress"`
	Error    string         `json:"error,omitempty"` // why a stopped run stopped; empty otherwise
}

// configDir is Concord's per-user configuration folder; tests replace it.
var configDir = func() (string, error) {
	d, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("config folder: %w", err)
	}
	return filepath.Join(d, "concord"), nil
}

func apiKeyPath() (string, error) {
	d, err := configDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "api_key"), nil
}

// saveAPIKey writes the key to a file only the user can read.
func saveAPIKey(key string) error {
	key = strings.TrimSpace(key)
	p, err := apiKeyPath()
	if err != nil {
		return err
	}
	if key == "" {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove the API key file: %w", err)
		}
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return fmt.Errorf("save the API key: %w", err)
	}
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, []byte(key+"\n"), 0o600); err != nil {
		return fmt.Errorf("save the API key: %w", err)
	}
	if err := os.Chmod(tmp, 0o600); err != nil { // WriteFile keeps an existing file's mode
		return fmt.Errorf("save the API key: %w", err)
	}
	if err := os.Rename(tmp, p); err != nil {
		return fmt.Errorf("save the API key: %w", err)
	}
	return nil
}

// resolveAPIKey takes the key from the named environment variable, else the
// key file; source says which, for display ("none" when neither has one: a
// local server such as Ollama needs no key).
func resolveAPIKey(getenv func(string) string, envVar string) (key, source string, err error) {
	if envVar == "" {
		envVar = DefaultAPIKeyEnv
	}
	if k := strings.TrimSpace(getenv(envVar)); k != "" {
		return k, "env " + envVar, nil
	}
	p, err := apiKeyPath()
	if err != nil {
		return "", "", err
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return "", "none", nil
	}
	if err != nil {
		return "", "", fmt.Errorf("read the API key file: %w", err)
	}
	return strings.TrimSpace(string(b)), "key file", nil
}

// pricesPath is the price table's file in the config folder.
func pricesPath() (string, error) {
	d, err := configDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "prices.json"), nil
}

// PriceRow is one model's price (USD per million tokens) as the price
// table editor shows it; a model name also prices the models it prefixes.
type PriceRow struct {
	Model string `json:"model"`
	judge.Price
}

// PriceTable is the editable price table and where it is kept.
type PriceTable struct {
	File string     `json:"file"`
	Rows []PriceRow `json:"rows"` // sorted by model
}

// JudgePrices reads the price table the dry run's cost estimate uses,
// creating the file with the defaults when it does not exist.
func (a *App) JudgePrices() (*PriceTable, error) {
	p, err := pricesPath()
	if err != nil {
		return nil, err
	}
	t, err := judge.LoadPrices(p)
	if err != nil {
		return nil, err
	}
	out := &PriceTable{File: p, Rows: []PriceRow{}}
	for m, pr := range t {
		out.Rows = append(out.Rows, PriceRow{Model: m, Price: pr})
	}
	slices.SortFunc(out.Rows, func(x, y PriceRow) int { return strings.Compare(x.Model, y.Model) })
	return out, nil
}

// SaveJudgePrices replaces the price table with rows, after checking that
// every row names a model once and has non-negative prices.
func (a *App) SaveJudgePrices(rows []PriceRow) (*PriceTable, error) {
	t := judge.PriceTable{}
	for _, r := range rows {
		m := strings.TrimSpace(r.Model)
		if m == "" {
			return nil, errors.New("price table: a row has no model name")
		}
		if _, dup := t[m]; dup {
			return nil, fmt.Errorf("price table: %s is listed twice", m)
		}
		t[m] = r.Price
	}
	p, err := pricesPath()
	if err != nil {
		return nil, err
	}
	if err := judge.SavePrices(p, t); err != nil {
		return nil, err
	}
	return a.JudgePrices()
}

// preparedRun is everything a run needs, built once for a dry run or a start.
type preparedRun struct {
	cfg     judge.Config
	set     judge.PromptSet
	pending []judge.Task
	plan    JudgePlan
	key     string
}

func prepareJudge(ctx context.Context, st *store.Store, req JudgeRequest, getenv func(string) string) (*preparedRun, error) {
	if req.Model == "" {
		return nil, errors.New("judge: a model is required")
	}
	if req.BaseURL == "" {
		return nil, errors.New("judge: a base URL is required (e.g. https://api.openai.com/v1)")
	}
	if req.MaxTokens == 0 {
		req.MaxTokens = judge.DefaultMaxTokens
	}
	cfg := judge.Config{Name: req.Name, Model: req.Model, BaseURL: req.BaseURL, Temperature: req.Temperature,
		MaxTokens: req.MaxTokens, Concurrency: req.Concurrency, RPM: req.RPM, TPM: req.TPM,
		Timeout: time.Duration(req.TimeoutSec * float64(time.Second))}
	if cfg.Name == "" {
		cfg.Name = cfg.Model
	}
	imported, err := st.Prompts(ctx)
	if err != nil {
		return nil, err
	}
	lookup := func(name string) (judge.Prompt, bool, error) {
		for _, p := range imported {
			if p.Name == name {
				if p.Type != "pairwise" {
					return judge.Prompt{}, false, fmt.Errorf("prompt %s is %s, not pairwise", name, p.Type)
				}
				return judge.Prompt{Name: p.Name, System: p.SystemPrompt, Template: p.PromptTemplate}, true, nil
			}
		}
		return judge.Prompt{}, false, nil
	}
	set, err := judge.ResolvePromptSet(req.Prompt, lookup)
	if err != nil {
		return nil, err
	}
	sel := judge.Selection{Models: req.Models, Turns: req.Turns, Categories: req.Categories, QuestionIDs: req.QuestionIDs}
	if req.StudyID != 0 {
		if sel, err = studySelection(ctx, st, req.StudyID); err != nil {
			return nil, err
		}
		req.Pairs = nil
	}
	for _, p := range req.Pairs {
		a, b, ok := strings.Cut(p, ":")
		if !ok || a == "" || b == "" {
			return nil, fmt.Errorf("judge: pair %q is not MODEL:MODEL", p)
		}
		sel.Pairs = append(sel.Pairs, [2]string{a, b})
	}
	for _, t := range sel.Turns {
		if t != 1 && t != 2 {
			return nil, fmt.Errorf("judge: turn %d (want 1 or 2)", t)
		}
	}
	var m judge.Material
	if m.Questions, err = st.Questions(ctx); err != nil {
		return nil, err
	}
	if m.Answers, err = st.Answers(ctx); err != nil {
		return nil, err
	}
	refs, err := st.References(ctx)
	if err != nil {
		return nil, err
	}
	m.References = map[int][]string{}
	for _, r := range refs { // prefer GPT-4's references, as MT-Bench does
		if _, ok := m.References[r.QuestionID]; !ok || r.Model == "gpt-4" {
			m.References[r.QuestionID] = r.Turns
		}
	}
	tasks, skipped, err := judge.BuildTasks(m, sel, set)
	if err != nil {
		return nil, err
	}
	if len(tasks) == 0 && len(skipped) == 0 {
		return nil, errors.New("judge: nothing to judge (import questions and at least two models' answers, or widen the selection)")
	}
	pending, est, err := judge.Pending(ctx, st, cfg, set, tasks)
	if err != nil {
		return nil, err
	}
	est.Skipped = skipped
	key, source, err := resolveAPIKey(getenv, req.APIKeyEnv)
	if err != nil {
		return nil, err
	}
	pr := &preparedRun{cfg: cfg, set: set, pending: pending, key: key,
		plan: JudgePlan{Judge: cfg.Name, Model: cfg.Model, PromptSet: set.Name, KeySource: source}}
	prices := judge.DefaultPrices()
	if p, err := pricesPath(); err == nil {
		pr.plan.PriceFile = p
		if prices, err = judge.LoadPrices(p); err != nil {
			return nil, err
		}
	}
	pr.plan.Estimate = judge.Estimated(est, pending, cfg.MaxTokens, cfg.Model, prices)
	return pr, nil
}

// studySelection selects exactly a study's units: each item's question and
// model pair, in each of the item's turns.
func studySelection(ctx context.Context, st *store.Store, id int64) (judge.Selection, error) {
	if _, err := st.Study(ctx, id); err != nil {
		return judge.Selection{}, fmt.Errorf("judge: %w", err)
	}
	items, err := st.StudyItems(ctx, id)
	if err != nil {
		return judge.Selection{}, fmt.Errorf("judge: %w", err)
	}
	var sel judge.Selection
	for _, it := range items {
		for _, t := range it.Turns {
			sel.Units = append(sel.Units, judge.Unit{QuestionID: it.QuestionID, Model1: it.ModelA, Model2: it.ModelB, Turn: t})
		}
	}
	if len(sel.Units) == 0 {
		return judge.Selection{}, fmt.Errorf("judge: study %d has no items", id)
	}
	return sel, nil
}

func (pr *preparedRun) runner(st *store.Store) *judge.Runner {
	return &judge.Runner{Config: pr.cfg, Set: pr.set, Store: st, APIKey: pr.key,
		Client: judge.NewOpenAIClient(judge.ClientConfig{BaseURL: pr.cfg.BaseURL, Model: pr.cfg.Model, APIKey: pr.key,
			Temperature: pr.cfg.Temperature, MaxTokens: pr.cfg.MaxTokens})}
}

// ---- the window ----

type judgeRun struct {
	mu     sync.Mutex
	id     int64
	cancel context.CancelFunc
	done   chan struct{}
	status JudgeStatus
}

// update changes the run's status and returns the new status with the next
// Seq. Once the run has ended, its status is final: ok is false and nothing
// changes, so no progress can follow (or overwrite) the final counters.
func (r *judgeRun) update(f func(*JudgeStatus)) (s JudgeStatus, ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.status.Running {
		return r.status, false
	}
	f(&r.status)
	r.status.Seq++
	return r.status, true
}

// judgeOutcome classifies a finished Run: cancelling is no failure and
// leaves Error empty; anything else that ended the run early stopped it.
func judgeOutcome(p judge.Progress, err error) (outcome, msg string) {
	switch {
	case errors.Is(err, judge.ErrStopped):
		return OutcomeStopped, err.Error()
	case err == nil && p.Done >= p.Total:
		return OutcomeFinished, ""
	case err == nil || errors.Is(err, context.Canceled):
		return OutcomeCancelled, ""
	default: // e.g. the judge could not be registered
		return OutcomeStopped, err.Error()
	}
}

var (
	judgeRunsMu sync.Mutex
	judgeRuns   = map[*App]*judgeRun{}
	judgeRunSeq int64
)

func init() {
	shutdownHooks = append(shutdownHooks, func(a *App) { _ = a.JudgeCancel() })
}

// JudgeDryRun reports what a run would send and roughly cost, without sending anything.
func (a *App) JudgeDryRun(req JudgeRequest) (*JudgePlan, error) {
	pr, err := prepareJudge(a.ctx, a.store, req, os.Getenv)
	if err != nil {
		return nil, err
	}
	return &pr.plan, nil
}

// JudgeStart starts a run in the background and returns its id; progress
// arrives as judge:progress events and the end as judge:done. One run at a time.
func (a *App) JudgeStart(req JudgeRequest) (int64, error) {
	judgeRunsMu.Lock()
	defer judgeRunsMu.Unlock()
	if r := judgeRuns[a]; r != nil {
		select {
		case <-r.done:
		default:
			return 0, errors.New("judge: a run is already in progress; cancel it first")
		}
	}
	pr, err := prepareJudge(a.ctx, a.store, req, os.Getenv)
	if err != nil {
		return 0, err
	}
	judgeRunSeq++
	ctx, cancel := context.WithCancel(a.ctx)
	run := &judgeRun{id: judgeRunSeq, cancel: cancel, done: make(chan struct{}),
		status: JudgeStatus{Running: true, RunID: judgeRunSeq, Seq: 1, Outcome: OutcomeRunning, Judge: pr.cfg.Name,
			Progress: judge.Progress{Total: len(pr.pending)}}}
	judgeRuns[a] = run
	r := pr.runner(a.store)
	r.OnProgress = func(p judge.Progress) {
		if p.Finished {
			return // the run's end is reported once, by judge:done, with these counters
		}
		if s, ok := run.update(func(s *JudgeStatus) { s.Progress = p }); ok {
			a.emit(EventJudgeProgress, s)
		}
	}
	go func() {
		defer close(run.done)
		defer cancel()
		res, err := r.Run(ctx, pr.pending)
		// Run returns after its workers: res holds the final counters.
		s, _ := run.update(func(s *JudgeStatus) {
			s.Running = false
			s.Progress = res.Progress
			s.Progress.Finished = true
			s.Outcome, s.Error = judgeOutcome(res.Progress, err)
		})
		a.emit(EventJudgeDone, s)
	}()
	return run.id, nil
}

// JudgeCancel stops the running judge run, keeping every committed game;
// starting the same configuration again resumes it.
func (a *App) JudgeCancel() error {
	judgeRunsMu.Lock()
	r := judgeRuns[a]
	judgeRunsMu.Unlock()
	if r == nil {
		return nil
	}
	r.cancel()
	<-r.done
	return nil
}

// JudgeStatus reports the current or last run.
func (a *App) JudgeStatus() JudgeStatus {
	judgeRunsMu.Lock()
	r := judgeRuns[a]
	judgeRunsMu.Unlock()
	if r == nil {
		return JudgeStatus{}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.status
}

// SetAPIKey keeps the API key in a file only the user can read, in the
// user's configuration folder; an empty key removes the file.
func (a *App) SetAPIKey(key string) error { return saveAPIKey(key) }

// APIKeySource says where a run would take its key from ("env VAR", "key
// file" or "none"); the key itself never leaves Go.
func (a *App) APIKeySource(envVar string) (string, error) {
	_, src, err := resolveAPIKey(os.Getenv, envVar)
	return src, err
}

// JudgePrompts lists the prompt sets and single prompts a run can use.
func (a *App) JudgePrompts() ([]string, error) {
	out := []string{"concord", "fastchat"}
	for _, p := range judge.BuiltinPrompts() {
		out = append(out, p.Name)
	}
	ps, err := a.store.Prompts(a.ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		if p.Type == "pairwise" {
			out = append(out, p.Name)
		}
	}
	return out, nil
}

// JudgeVerdicts lists a judge's verdicts (both games' winners and
// explanations, without the long user prompts); questionID 0 means all.
func (a *App) JudgeVerdicts(judgeName string, questionID int) ([]store.Verdict, error) {
	vs, err := a.store.Verdicts(a.ctx, judgeName)
	if err != nil {
		return nil, err
	}
	out := vs[:0]
	for _, v := range vs {
		if questionID != 0 && v.QuestionID != questionID {
			continue
		}
		for _, g := range []*store.Game{v.G1, v.G2} {
			if g != nil {
				g.UserPrompt = ""
			}
		}
		out = append(out, v)
	}
	return out, nil
}

// VerdictDetail is one verdict with the question and both answers, for
// showing both orders' explanations side by side.
type VerdictDetail struct {
	Verdict  store.Verdict  `json:"verdict"`
	Question store.Question `json:"question"`
	Answer1  []string       `json:"answer1"` // Model1's turns
	Answer2  []string       `json:"answer2"`
}

// JudgeVerdict returns one verdict of a judge by id, with its question and answers.
func (a *App) JudgeVerdict(judgeName string, id int64) (*VerdictDetail, error) {
	vs, err := a.store.Verdicts(a.ctx, judgeName)
	if err != nil {
		return nil, err
	}
	for _, v := range vs {
		if v.ID != id {
			continue
		}
		d := &VerdictDetail{Verdict: v}
		qs, err := a.store.Questions(a.ctx)
		if err != nil {
			return nil, err
		}
		for _, q := range qs {
			if q.ID == v.QuestionID {
				d.Question = q
			}
		}
		as, err := a.store.Answers(a.ctx)
		if err != nil {
			return nil, err
		}
		for _, an := range as {
			if an.QuestionID == v.QuestionID && an.Model == v.Model1 {
				d.Answer1 = an.Turns
			}
			if an.QuestionID == v.QuestionID && an.Model == v.Model2 {
				d.Answer2 = an.Turns
			}
		}
		return d, nil
	}
	return nil, fmt.Errorf("judge %s has no verdict %d", judgeName, id)
}

// ---- the command line ----

func init() {
	register(Command{Name: "judge", Summary: "run an LLM judge over stored answers, in both orders (resumable)", Run: runJudge})
}

// gamesError is a run whose games partly ended in errors (exit code 1).
type gamesError struct{ errors, total int }

func (e *gamesError) Error() string {
	return fmt.Sprintf("judge: %d of %d games ended in errors (stored with their output; run the same command again to retry them)", e.errors, e.total)
}

func runJudge(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "judge", "--base-url URL --model NAME [flags]")
	var req JudgeRequest
	var models, pairs, turns, cats, questions string
	var timeout time.Duration
	var temp float64
	fs.StringVar(&req.BaseURL, "base-url", "", "OpenAI-compatible API base URL, e.g. https://api.openai.com/v1, http://localhost:11434/v1, or an Azure OpenAI endpoint")
	fs.StringVar(&req.Model, "model", "", "judge model (an Azure deployment name for Azure)")
	fs.StringVar(&req.Name, "name", "", "judge name for reports and exports (default: the model)")
	fs.StringVar(&models, "models", "", "comma-separated models: judge every pair among them (default: all models)")
	fs.StringVar(&pairs, "pairs", "", "comma-separated model pairs a:b (instead of --models)")
	fs.StringVar(&turns, "turns", "1,2", "turns to judge")
	fs.StringVar(&cats, "categories", "", "comma-separated question categories (default: all)")
	fs.StringVar(&questions, "questions", "", "comma-separated question ids (default: all)")
	fs.Int64Var(&req.StudyID, "study", 0, "judge exactly this study's items, each (question, pair) in the study's turns (see concord study list); instead of the selection flags")
	fs.IntVar(&req.Concurrency, "concurrency", judge.DefaultConcurrency, "concurrent requests")
	fs.IntVar(&req.RPM, "rpm", 0, "requests per minute limit (0: none)")
	fs.IntVar(&req.TPM, "tpm", 0, "tokens per minute limit, estimated (0: none)")
	fs.DurationVar(&timeout, "timeout", judge.DefaultTimeout, "per-request timeout")
	fs.StringVar(&req.Prompt, "prompt", "concord", "prompt set (concord, fastchat) or one prompt's name")
	fs.StringVar(&req.APIKeyEnv, "api-key-env", DefaultAPIKeyEnv, "environment variable holding the API key (else the key file saved by the app)")
	fs.Float64Var(&temp, "temperature", 0, "sampling temperature")
	fs.IntVar(&req.MaxTokens, "max-tokens", judge.DefaultMaxTokens, "maximum tokens per judgment")
	dry := fs.Bool("dry-run", false, "print what would be sent and its estimated cost, send nothing")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("%w: unexpected arguments %v", ErrUsage, rest)
	}
	if req.BaseURL == "" || req.Model == "" {
		fs.Usage()
		return fmt.Errorf("%w: --base-url and --model are required", ErrUsage)
	}
	if models != "" && pairs != "" {
		return fmt.Errorf("%w: give --models or --pairs, not both", ErrUsage)
	}
	if req.StudyID != 0 {
		var clash []string
		fs.Visit(func(f *flag.Flag) {
			switch f.Name {
			case "models", "pairs", "turns", "categories", "questions":
				clash = append(clash, "--"+f.Name)
			}
		})
		if len(clash) > 0 {
			return fmt.Errorf("%w: --study selects the study's items; drop %s", ErrUsage, strings.Join(clash, ", "))
		}
	}
	req.Temperature = float32(temp)
	req.TimeoutSec = timeout.Seconds()
	req.Models, req.Pairs, req.Categories = splitList(models), splitList(pairs), splitList(cats)
	if req.Turns, err = intList(turns); err != nil {
		return fmt.Errorf("%w: --turns: %v", ErrUsage, err)
	}
	if req.QuestionIDs, err = intList(questions); err != nil {
		return fmt.Errorf("%w: --questions: %v", ErrUsage, err)
	}
	st, err := env.OpenStore()
	if err != nil {
		return err
	}
	defer st.Close()
	getenv := env.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	pr, err := prepareJudge(ctx, st, req, getenv)
	if err != nil {
		return err
	}
	printPlan(env.Stdout, pr.plan, *dry)
	if *dry || len(pr.pending) == 0 {
		return nil
	}
	r := pr.runner(st)
	bar := env.IsTerminal
	if bar {
		r.ProgressEvery = 200 * time.Millisecond
	} else {
		r.ProgressEvery = 10 * time.Second
	}
	var outMu sync.Mutex
	r.OnProgress = func(p judge.Progress) {
		outMu.Lock()
		defer outMu.Unlock()
		if bar {
			fmt.Fprint(env.Stderr, "\r\033[K"+progressBar(p))
		} else if !p.Finished {
			fmt.Fprintln(env.Stdout, progressLine(pr.cfg.Name, p))
		}
	}
	r.Log = func(s string) {
		outMu.Lock()
		defer outMu.Unlock()
		if bar {
			fmt.Fprint(env.Stderr, "\r\033[K")
		}
		fmt.Fprintln(env.Stderr, s)
	}
	res, err := r.Run(ctx, pr.pending)
	if bar {
		fmt.Fprintln(env.Stderr)
	}
	fmt.Fprintln(env.Stdout, progressLine(pr.cfg.Name, res.Progress))
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return fmt.Errorf("judge: cancelled after %d of %d games; run the same command again to resume", res.Done, res.Total)
		}
		return err
	}
	if res.Errors > 0 {
		return &gamesError{errors: res.Errors, total: res.Total}
	}
	return nil
}

func intList(s string) ([]int, error) {
	var out []int
	for _, p := range splitList(s) {
		n, err := strconv.Atoi(p)
		if err != nil {
			return nil, fmt.Errorf("%q is not a number", p)
		}
		out = append(out, n)
	}
	return out, nil
}

func printPlan(w io.Writer, p JudgePlan, dry bool) {
	verb := "will send"
	if dry {
		verb = "would send"
	}
	fmt.Fprintf(w, "judge %s (model %s, prompts %s, API key: %s)\n", p.Judge, p.Model, p.PromptSet, p.KeySource)
	fmt.Fprintf(w, "%s %d requests for %d units (%d games already done", verb, p.Requests, p.Units, p.Done)
	if p.Retry > 0 {
		fmt.Fprintf(w, ", %d errored games to retry", p.Retry)
	}
	fmt.Fprintln(w, ")")
	for reason, n := range p.Skipped {
		fmt.Fprintf(w, "skipped %d units: %s\n", n, reason)
	}
	fmt.Fprintf(w, "estimated tokens: %d in, %d out\n", p.TokensIn, p.TokensOut)
	if p.CostKnown {
		fmt.Fprintf(w, "estimated cost: $%.2f (at $%.2f / $%.2f per million tokens in / out)\n", p.Cost, p.Price.InputPerMillion, p.Price.OutputPerMillion)
	} else {
		fmt.Fprintf(w, "estimated cost: unknown (no price for %s", p.Model)
		if p.PriceFile != "" {
			fmt.Fprintf(w, "; add one to %s", p.PriceFile)
		}
		fmt.Fprintln(w, ")")
	}
	fmt.Fprintln(w, p.Note)
}

func progressLine(name string, p judge.Progress) string {
	s := fmt.Sprintf("judge %s: %d/%d games, %d errors, %.1f/min", name, p.Done, p.Total, p.Errors, p.PerMinute)
	if p.ETA > 0 && !p.Finished {
		s += ", ETA " + p.ETA.Round(time.Second).String()
	}
	if p.Finished {
		s += ", took " + p.Elapsed.Round(time.Second).String()
	}
	return s
}

func progressBar(p judge.Progress) string {
	const width = 30
	filled := 0
	if p.Total > 0 {
		filled = width * p.Done / p.Total
	}
	eta := "--"
	if p.ETA > 0 {
		eta = p.ETA.Round(time.Second).String()
	}
	return fmt.Sprintf("[%s%s] %d/%d  errors %d  %.0f/min  ETA %s", strings.Repeat("#", filled), strings.Repeat(".", width-filled),
		p.Done, p.Total, p.Errors, p.PerMinute, eta)
}
