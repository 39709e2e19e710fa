// Package judge runs an LLM as a pairwise judge over stored answers: prompts, the OpenAI-compatible client, verdict parsing and a resumable, rate-limited runner.
package judge

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"concord/store"
)

// Store is what the runner needs from persistence (implemented by *store.Store).
type Store interface {
	JudgeSpecByName(ctx context.Context, name string) (store.JudgeSpec, bool, error)
	EnsureJudge(ctx context.Context, spec store.JudgeSpec) (int64, error)
	JudgeGames(ctx context.Context, judge string) ([]store.GameState, error)
	SaveGame(ctx context.Context, judgeID int64, k store.GameKey, g store.Game) error
}

// Config is a judge run's configuration.
type Config struct {
	Name        string // the judge's name; defaults to Model
	Model       string
	BaseURL     string
	Temperature float32
	MaxTokens   int // 0: server default

	Concurrency int           // workers; default 8
	RPM         int           // requests per minute; 0: no limit
	TPM         int           // tokens per minute (estimated in + max out); 0: no limit
	Timeout     time.Duration // per request; default 2 minutes
	MaxRetries  int           // per request after the first attempt; default 6
	Backoff     time.Duration // first backoff; doubles per retry, with full jitter; default 1s
	MaxBackoff  time.Duration // default 60s
}

// Defaults for Config.
const (
	DefaultConcurrency = 8
	DefaultTimeout     = 2 * time.Minute
	DefaultMaxRetries  = 6
	DefaultBackoff     = time.Second
	DefaultMaxBackoff  = time.Minute
	DefaultMaxTokens   = 1024
)

func (c Config) withDefaults() Config {
	if c.Name == "" {
		c.Name = c.Model
	}
	if c.Concurrency <= 0 {
		c.Concurrency = DefaultConcurrency
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.MaxRetries < 0 {
		c.MaxRetries = 0
	} else if c.MaxRetries == 0 {
		c.MaxRetries = DefaultMaxRetries
	}
	if c.Backoff <= 0 {
		c.Backoff = DefaultBackoff
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = DefaultMaxBackoff
	}
	return c
}

// Spec is the judge's stored identity: model, sampling settings and prompt
// set with its hashes. Rate limits, concurrency and the key are not part of
// it; the base URL is stored for information (without credentials or query).
func Spec(c Config, set PromptSet) store.JudgeSpec {
	c = c.withDefaults()
	ident := struct {
		Model       string   `json:"model"`
		Temperature float32  `json:"temperature"`
		MaxTokens   int      `json:"max_tokens"`
		PromptSet   string   `json:"prompt_set"`
		Prompts     []string `json:"prompts"`
	}{c.Model, c.Temperature, c.MaxTokens, set.Name, set.Hashes()}
	b, _ := json.Marshal(ident)
	h := sha256.Sum256(b)
	return store.JudgeSpec{Name: c.Name, Model: c.Model, BaseURL: SafeURL(c.BaseURL), ConfigJSON: string(b),
		ConfigHash: hex.EncodeToString(h[:8])}
}

// SafeURL strips user info, query and fragment from a URL, so that nothing
// secret a user put in it is stored or shown.
func SafeURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	u.User, u.RawQuery, u.Fragment = nil, "", ""
	return u.String()
}

// ErrStopped wraps the error that stopped a run early (a refused key, a
// wrong URL or model, a failed write).
var ErrStopped = errors.New("judge run stopped")

// Pending splits tasks into those still to run and counts the finished ones.
// A game is finished when it is stored with a winner other than "error";
// errored games are run again. A stored game whose prompt name matches but
// whose prompt text (hash) differs is refused: changing a prompt needs a new
// judge name.
func Pending(ctx context.Context, st Store, cfg Config, set PromptSet, tasks []Task) (pending []Task, e Estimate, err error) {
	cfg = cfg.withDefaults()
	spec := Spec(cfg, set)
	old, ok, err := st.JudgeSpecByName(ctx, cfg.Name)
	if err != nil {
		return nil, e, err
	}
	if ok && old.ConfigHash != spec.ConfigHash {
		return nil, e, fmt.Errorf("%w: %s was configured as %s; choose another --name", store.ErrJudgeConfig, cfg.Name, old.ConfigJSON)
	}
	games, err := st.JudgeGames(ctx, cfg.Name)
	if err != nil {
		return nil, e, err
	}
	stored := make(map[store.GameKey]string, len(games))
	byName := map[store.GameKey]string{} // key without hash -> hash
	for _, g := range games {
		stored[g.GameKey] = g.Winner
		k := g.GameKey
		k.PromptHash = ""
		byName[k] = g.PromptHash
	}
	for _, t := range tasks {
		k := t.Key()
		w, ok := stored[k]
		if !ok {
			h := k.PromptHash
			k.PromptHash = ""
			if old, clash := byName[k]; clash && old != h {
				return nil, e, fmt.Errorf("%w: prompt %s (stored %s, now %s)", store.ErrPromptChanged, t.Prompt.Name, old, h)
			}
		}
		switch {
		case ok && w != "error":
			e.Done++
		case ok:
			e.Retry++
			pending = append(pending, t)
		default:
			pending = append(pending, t)
		}
	}
	return pending, e, nil
}

// Progress is a snapshot of a run.
type Progress struct {
	Total     int           `json:"total"`  // games to run in this run
	Done      int           `json:"done"`   // games finished in this run, judged or errored
	Errors    int           `json:"errors"` // of Done, games stored as errors
	Retries   int           `json:"retries"`
	InFlight  int           `json:"inFlight"`
	Elapsed   time.Duration `json:"elapsed"`
	PerMinute float64       `json:"perMinute"` // finished games per minute so far
	ETA       time.Duration `json:"eta"`       // at the rate so far; 0 when unknown
	Finished  bool          `json:"finished"`
	Stopped   string        `json:"stopped,omitempty"` // why the run stopped early, if it did
}

// Runner judges tasks with one client and commits each game as it arrives.
type Runner struct {
	Config Config
	Set    PromptSet
	Client Completer
	Store  Store
	// APIKey, if set, is scrubbed from everything stored or reported.
	APIKey string
	// OnProgress, if set, is called every ProgressEvery and once at the end.
	OnProgress    func(Progress)
	ProgressEvery time.Duration // default 250ms
	// Log, if set, receives one line per notable event (retries, errors), scrubbed.
	Log func(string)
}

// Result is the outcome of a run.
type Result struct {
	Progress
	JudgeID int64
}

type runState struct {
	r       *Runner
	cfg     Config
	judgeID int64
	start   time.Time
	rpm     *limiter
	tpm     *limiter
	gate    gate

	done, errs, retries, inflight atomic.Int64
	total                         int

	stopOnce sync.Once
	stopErr  error
	cancel   context.CancelFunc
}

// Run judges the tasks (callers pass Pending's result) and returns when all
// are stored, ctx is cancelled, or a fatal error stops the run (wrapped in
// ErrStopped). A cancelled run returns ctx's error; whatever was committed stays.
func (r *Runner) Run(ctx context.Context, tasks []Task) (Result, error) {
	return runTasks(ctx, r, tasks, (*runState).do)
}

// runTasks runs tasks on Concurrency workers, each with do, reporting
// progress as it goes; Run and RunSingle share it.
func runTasks[T any](ctx context.Context, r *Runner, tasks []T, do func(*runState, context.Context, T)) (Result, error) {
	cfg := r.Config.withDefaults()
	judgeID, err := r.Store.EnsureJudge(ctx, Spec(cfg, r.Set))
	if err != nil {
		return Result{}, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	st := &runState{r: r, cfg: cfg, judgeID: judgeID, start: time.Now(), total: len(tasks), cancel: cancel,
		rpm: newLimiter(float64(cfg.RPM), 1)}
	if cfg.TPM > 0 {
		// A sixth of a minute's tokens as burst: a start-up burst stays small,
		// and over any minute at most 7/6 TPM (plus one request) is sent.
		st.tpm = newLimiter(float64(cfg.TPM), float64(cfg.TPM)/6)
	}

	ch := make(chan T)
	var wg sync.WaitGroup
	for range cfg.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range ch {
				do(st, ctx, t)
			}
		}()
	}
	stopTicker := make(chan struct{})
	tickerDone := make(chan struct{})
	go func() {
		defer close(tickerDone)
		every := r.ProgressEvery
		if every <= 0 {
			every = 250 * time.Millisecond
		}
		tk := time.NewTicker(every)
		defer tk.Stop()
		for {
			select {
			case <-tk.C:
				if r.OnProgress != nil {
					r.OnProgress(st.progress(false))
				}
			case <-stopTicker:
				return
			}
		}
	}()
feed:
	for _, t := range tasks {
		select {
		case ch <- t:
		case <-ctx.Done():
			break feed
		}
	}
	close(ch)
	wg.Wait()
	close(stopTicker)
	<-tickerDone

	p := st.progress(true)
	res := Result{Progress: p, JudgeID: judgeID}
	if st.stopErr != nil {
		res.Stopped = st.stopErr.Error()
		if r.OnProgress != nil {
			r.OnProgress(res.Progress)
		}
		return res, st.stopErr
	}
	if r.OnProgress != nil {
		r.OnProgress(res.Progress)
	}
	if err := context.Cause(ctx); err != nil && errors.Is(err, context.Canceled) && p.Done < p.Total {
		return res, err
	}
	return res, nil
}

func (st *runState) progress(final bool) Progress {
	el := time.Since(st.start)
	p := Progress{Total: st.total, Done: int(st.done.Load()), Errors: int(st.errs.Load()),
		Retries: int(st.retries.Load()), InFlight: int(st.inflight.Load()), Elapsed: el, Finished: final}
	if el > 0 && p.Done > 0 {
		p.PerMinute = float64(p.Done) / el.Minutes()
		p.ETA = time.Duration(float64(p.Total-p.Done) / float64(p.Done) * float64(el))
	}
	return p
}

func (st *runState) stop(err error) {
	st.stopOnce.Do(func() {
		st.stopErr = fmt.Errorf("%w: %w", ErrStopped, err)
		st.cancel()
	})
}

func (st *runState) log(format string, args ...any) {
	if st.r.Log != nil {
		st.r.Log(Scrub(fmt.Sprintf(format, args...), st.r.APIKey))
	}
}

// do runs one task to a stored game, or returns without storing when the run
// is cancelled or stopped.
func (st *runState) do(ctx context.Context, t Task) {
	label := fmt.Sprintf("q%d %s/%s turn %d game %d", t.QuestionID, t.Model1, t.Model2, t.Turn, t.Game)
	c, lat, failure, ok := st.request(ctx, t.EstimatedTokensIn(), t.Prompt.System, t.User, label)
	switch {
	case !ok:
		return
	case failure != "":
		st.save(ctx, t, store.Game{Winner: "error", Error: failure, UserPrompt: t.User, LatencyMS: lat})
		return
	}
	g := gameFromReply(t, c, st.r.APIKey)
	g.LatencyMS = lat
	st.save(ctx, t, g)
}

// request sends one request under the run's limits, retrying transient
// failures with backoff. It returns the completion and its latency; or a
// failure to store as the task's error (a permanent error, or retries used
// up); or ok = false when the run was cancelled or stopped, and nothing is
// to be stored (the task stays pending for a resume).
func (st *runState) request(ctx context.Context, tokensIn int, system, user, label string) (c Completion, lat int64, failure string, ok bool) {
	cfg := st.cfg
	tokens := float64(tokensIn + max(cfg.MaxTokens, 0))
	for attempt := 0; ; attempt++ {
		if st.gate.wait(ctx) != nil || st.rpm.Wait(ctx, 1) != nil || st.tpm.Wait(ctx, tokens) != nil {
			return c, 0, "", false
		}
		st.inflight.Add(1)
		actx, cancel := context.WithTimeout(ctx, cfg.Timeout)
		start := time.Now()
		c, err := st.r.Client.Complete(actx, system, user)
		// Whole milliseconds rounded up: a measured request is never 0 ms,
		// which stands for "not measured" (a batch run's games).
		lat = (time.Since(start) + time.Millisecond - 1).Milliseconds()
		cancel()
		st.inflight.Add(-1)
		if err == nil {
			return c, lat, "", true
		}
		if ctx.Err() != nil {
			return c, lat, "", false // cancelled or stopped: store nothing, the task is pending on resume
		}
		var re *RequestError
		if !errors.As(err, &re) {
			re = &RequestError{Kind: KindTransient, Msg: clip(scrubError(err.Error(), st.r.APIKey))}
		}
		switch re.Kind {
		case KindCanceled:
			return c, lat, "", false
		case KindFatal:
			st.stop(re)
			return c, lat, "", false
		case KindPermanent:
			return c, lat, re.Error(), true
		}
		if attempt >= cfg.MaxRetries {
			return c, lat, fmt.Sprintf("%s (gave up after %d attempts)", re.Error(), attempt+1), true
		}
		delay := backoff(cfg.Backoff, cfg.MaxBackoff, attempt)
		if re.RetryAfter > 0 {
			// The server said when: hold every worker until then, and add a
			// little jitter so they do not all return in the same instant.
			st.gate.holdUntil(time.Now().Add(re.RetryAfter))
			delay = re.RetryAfter + time.Duration(rand.Int64N(int64(re.RetryAfter/10)+1))
		}
		st.retries.Add(1)
		st.log("%s: %s; retry %d in %s", label, re.Error(), attempt+1, delay.Round(time.Millisecond))
		tm := time.NewTimer(delay)
		select {
		case <-tm.C:
		case <-ctx.Done():
			tm.Stop()
			return c, lat, "", false
		}
	}
}

// gameFromReply is the game a judge's reply to t makes, live or in a batch:
// the verdict parsed strictly, a reply without one kept as an error game.
func gameFromReply(t Task, c Completion, apiKey string) store.Game {
	g := store.Game{Judgment: Scrub(c.Text, apiKey), UserPrompt: t.User, TokensIn: c.TokensIn, TokensOut: c.TokensOut}
	label, perr := parseVerdictTokens(c.Text, t.Prompt.verdictTokens())
	if perr != nil {
		g.Winner, g.Error = "error", perr.Error()
	} else {
		g.Winner = Winner(label, t.Game)
	}
	return g
}

// backoff is "full jitter" exponential backoff: a uniform random delay in
// [0, min(max, base*2^attempt)].
func backoff(base, maxDelay time.Duration, attempt int) time.Duration {
	d := maxDelay
	if attempt < 30 {
		d = min(base<<attempt, maxDelay)
	}
	return time.Duration(rand.Int64N(int64(d) + 1))
}

func (st *runState) save(ctx context.Context, t Task, g store.Game) {
	g.Error = Scrub(g.Error, st.r.APIKey)
	// Commit even if the run is being cancelled: the answer was paid for.
	if err := st.r.Store.SaveGame(context.WithoutCancel(ctx), st.judgeID, t.Key(), g); err != nil {
		st.stop(err)
		return
	}
	st.done.Add(1)
	if g.Winner == "error" {
		st.errs.Add(1)
		st.log("q%d %s/%s turn %d game %d: error: %s", t.QuestionID, t.Model1, t.Model2, t.Turn, t.Game, g.Error)
	}
}
