package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"concord/app/settings"
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
const DefaultAPIKeyEnv = settings.DefaultAPIKeyEnv

// JudgeRequest configures a judge run, from the window or the command line.
type JudgeRequest struct {
	Name        string   `json:"name"` // defaults to Model
	BaseURL     string   `json:"baseUrl"`
	Model       string   `json:"model"`
	Temperature float32  `json:"temperature"`
	MaxTokens   int      `json:"maxTokens"`      // 0: judge.DefaultMaxTokens
	Mode        string   `json:"mode,omitempty"` // "pairwise" (default) or "single" (rate each answer 1-10)
	Prompt      string   `json:"prompt"`         // "concord" (default), "fastchat" or a prompt name
	Models      []string `json:"models"`         // all pairs among these; empty: all models
	Pairs       []string `json:"pairs"`          // "a:b"; overrides Models
	Turns       []int    `json:"turns"`          // default: every turn each question has
	Categories  []string `json:"categories"`
	QuestionIDs []int    `json:"questionIds"`
	// QuestionKeys selects questions by key as the user types them ("81",
	// "writing_1"), added to QuestionIDs.
	QuestionKeys []string `json:"questionKeys,omitempty"`
	StudyID      int64    `json:"studyId"` // judge exactly this study's (question, pair, turn) units; the fields above are ignored
	Concurrency  int      `json:"concurrency"`
	RPM          int      `json:"rpm"`
	TPM          int      `json:"tpm"`
	TimeoutSec   float64  `json:"timeoutSec"`
	APIKeyEnv    string   `json:"apiKeyEnv"` // default OPENAI_API_KEY
}

// JudgePlan is a dry run: what a run would do. It never holds the key.
type JudgePlan struct {
	judge.Estimate
	Mode      string `json:"mode"` // ModePairwise or ModeSingle
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
	Mode    string `json:"mode"` // ModePairwise (progress counts games) or ModeSingle (ratings)
	// Progress holds the run's final counters once Running is false.
	Progress judge.Progress `json:"progress"`
	Error    string         `json:"error,omitempty"` // why a stopped run stopped; empty otherwise
}

// PriceRow is one model's price in the price table editor.
type PriceRow = settings.PriceRow

// PriceTable is the editable price table and where it is kept.
type PriceTable = settings.PriceTable

// JudgePrices reads the price table the dry run's cost estimate uses,
// creating the file with the defaults when it does not exist.
func (a *App) JudgePrices() (*PriceTable, error) { return settings.Prices() }

// SaveJudgePrices replaces the price table with rows, after checking that
// every row names a model once and has non-negative prices.
func (a *App) SaveJudgePrices(rows []PriceRow) (*PriceTable, error) { return settings.SavePrices(rows) }

// preparedRun is everything a run needs, built once for a dry run or a start.
type preparedRun struct {
	cfg     judge.Config
	set     judge.PromptSet
	pending []judge.Task
	single  []judge.SingleTask // a single-answer run's pending tasks (pending is then empty)
	plan    JudgePlan
	key     string
	m       judge.Material // what the tasks were built from (a batch rebuilds tasks from it)
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
	switch req.Mode {
	case "", ModePairwise:
	case ModeSingle:
		return prepareSingle(ctx, st, req, cfg, imported, getenv)
	default:
		return nil, fmt.Errorf("judge: mode %q (want %s or %s)", req.Mode, ModePairwise, ModeSingle)
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
	sel, m, err := selectMaterial(ctx, st, req)
	if err != nil {
		return nil, err
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
	key, source, err := settings.APIKey(getenv, req.APIKeyEnv)
	if err != nil {
		return nil, err
	}
	pr := &preparedRun{cfg: cfg, set: set, pending: pending, key: key, m: m,
		plan: JudgePlan{Mode: ModePairwise, Judge: cfg.Name, Model: cfg.Model, PromptSet: set.Name, KeySource: source}}
	prices, file, err := settings.PriceLookup()
	if err != nil {
		return nil, err
	}
	pr.plan.PriceFile = file
	pr.plan.Estimate = judge.Estimated(est, pending, cfg.MaxTokens, cfg.Model, prices)
	return pr, nil
}

// selectMaterial is the selection a run of either mode judges (its models,
// turns, categories, questions and pairs, or exactly a study's units) and the
// material its prompts are built from.
func selectMaterial(ctx context.Context, st *store.Store, req JudgeRequest) (judge.Selection, judge.Material, error) {
	sel := judge.Selection{Models: req.Models, Turns: req.Turns, Categories: req.Categories, QuestionIDs: req.QuestionIDs}
	if len(req.QuestionKeys) > 0 {
		ids, err := st.QuestionIDsByKey(ctx, req.QuestionKeys)
		if err != nil {
			return sel, judge.Material{}, err
		}
		sel.QuestionIDs = append(append([]int(nil), sel.QuestionIDs...), ids...)
	}
	pairs := req.Pairs
	var err error
	if req.StudyID != 0 {
		if sel, err = studySelection(ctx, st, req.StudyID); err != nil {
			return sel, judge.Material{}, err
		}
		pairs = nil
	}
	if sel.Pairs, err = parsePairs(pairs); err != nil {
		return sel, judge.Material{}, fmt.Errorf("judge: %w", err)
	}
	for _, t := range sel.Turns {
		if t != 1 && t != 2 {
			return sel, judge.Material{}, fmt.Errorf("judge: turn %d (want 1 or 2)", t)
		}
	}
	m, err := loadMaterial(ctx, st)
	return sel, m, err
}

// loadMaterial reads what a judge's prompts are built from: the questions,
// the answers and one reference per question (GPT-4's where there are
// several, as MT-Bench does).
func loadMaterial(ctx context.Context, st *store.Store) (judge.Material, error) {
	var m judge.Material
	var err error
	if m.Questions, err = st.Questions(ctx); err != nil {
		return m, err
	}
	if m.Answers, err = st.Answers(ctx); err != nil {
		return m, err
	}
	refs, err := st.References(ctx)
	if err != nil {
		return m, err
	}
	m.References = map[int][]string{}
	for _, r := range refs {
		if _, ok := m.References[r.QuestionID]; !ok || r.Model == "gpt-4" {
			m.References[r.QuestionID] = r.Turns
		}
	}
	return m, nil
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

// judgeRuns is the window's judge run: one at a time, kept on the App.
type judgeRuns struct {
	mu   sync.Mutex
	last *judgeRun // the current or last run
	seq  int64     // the last run's id
}

// current is the current or last run, nil before the first.
func (j *judgeRuns) current() *judgeRun {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.last
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
	a.judge.mu.Lock()
	defer a.judge.mu.Unlock()
	if r := a.judge.last; r != nil {
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
	a.judge.seq++
	ctx, cancel := context.WithCancel(a.ctx)
	run := &judgeRun{id: a.judge.seq, cancel: cancel, done: make(chan struct{}),
		status: JudgeStatus{Running: true, RunID: a.judge.seq, Seq: 1, Outcome: OutcomeRunning, Judge: pr.cfg.Name, Mode: pr.plan.Mode,
			Progress: judge.Progress{Total: pr.requests()}}}
	a.judge.last = run
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
		res, err := pr.run(ctx, r)
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
	r := a.judge.current()
	if r == nil {
		return nil
	}
	r.cancel()
	<-r.done
	return nil
}

// JudgeStatus reports the current or last run.
func (a *App) JudgeStatus() JudgeStatus {
	r := a.judge.current()
	if r == nil {
		return JudgeStatus{}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.status
}

// SetAPIKey keeps the API key in a file only the user can read, in the
// user's configuration folder; an empty key removes the file.
func (a *App) SetAPIKey(key string) error { return settings.SaveAPIKey(key) }

// APIKeySource says where a run would take its key from ("env VAR", "key
// file" or "none"); the key itself never leaves Go.
func (a *App) APIKeySource(envVar string) (string, error) {
	_, src, err := settings.APIKey(os.Getenv, envVar)
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
	out := make([]store.Verdict, 0, len(vs))
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
		d := &VerdictDetail{Verdict: v, Answer1: []string{}, Answer2: []string{}}
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
