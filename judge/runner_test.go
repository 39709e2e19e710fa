package judge_test

import (
	"bytes"
	"context"
	"errors"
	"hash/fnv"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"concord/judge"
	"concord/store"
	"concord/store/outcome"
)

// combinedGames combines two stored games (model_1, model_2, tie or error).
func combinedGames(tb testing.TB, g1, g2 string) string {
	tb.Helper()
	w1, err := outcome.ParseGame(g1)
	if err != nil {
		tb.Fatal(err)
	}
	w2, err := outcome.ParseGame(g2)
	if err != nil {
		tb.Fatal(err)
	}
	return outcome.Combine(w1, w2).Game()
}

var fixtureModels = []string{"alpha", "beta", "gamma"}

// class sorts a request into one of the fault scenarios, stably by its text.
func class(user string) int {
	h := fnv.New32a()
	h.Write([]byte(user))
	return int(h.Sum32() % 11)
}

const (
	retryAfter = 200 * time.Millisecond
	timeout    = 300 * time.Millisecond
)

// faults: 0 ok [[A]] (echoing the key); 1 429 + Retry-After then [[B]]; 2 500
// then [[C]]; 3 too slow (timeout) then [[A]]; 4 truncated JSON then [[B]];
// 5 no verdict; 6 "[[A]] or [[B]]"; 7 always 503 with the key in the error;
// 8 [[B]] after 30 ms; 9 [[C]]; 10 400 bad request.
func faults(user string, attempt int) reply {
	switch class(user) {
	case 0:
		return reply{text: "Echo: $AUTH. A wins.\n[[A]]"}
	case 1:
		if attempt == 0 {
			return reply{status: 429, retryAfter: "0.2", body: `{"error":{"message":"rate limited","type":"rate_limit"}}`}
		}
		return reply{text: "[[B]]"}
	case 2:
		if attempt == 0 {
			return reply{status: 500, body: "internal error"}
		}
		return reply{text: "Tie.\n[[C]]"}
	case 3:
		if attempt == 0 {
			return reply{delay: 2 * timeout, text: "[[B]]"}
		}
		return reply{text: "[[A]]"}
	case 4:
		if attempt == 0 {
			return reply{body: `{"id":"x","choices":[{"index":0,"message":{"role":"assistant","content":"[[A`}
		}
		return reply{text: "[[B]]"}
	case 5:
		return reply{text: "Both answers have merit."}
	case 6:
		return reply{text: "Hard to say.\nVerdict: [[A]] or [[B]]"}
	case 7:
		return reply{status: 503, body: `{"error":{"message":"overloaded for $AUTH","type":"server_error"}}`}
	case 8:
		return reply{delay: 30 * time.Millisecond, text: "B is clearer. [[B]]"}
	case 9:
		return reply{text: "[[C]]"}
	default:
		return reply{status: 400, body: `{"error":{"message":"context too long","type":"invalid_request_error"}}`}
	}
}

// want is the stored winner for a task under faults, and the number of requests it needs.
func want(t judge.Task) (winner string, attempts int) {
	label := map[int]judge.Label{0: "A", 1: "B", 2: "C", 3: "A", 4: "B", 8: "B", 9: "C"}
	c := class(t.User)
	switch c {
	case 5, 6, 10:
		return "error", 1
	case 7:
		return "error", 3
	case 1, 2, 3, 4:
		return judge.Winner(label[c], t.Game), 2
	}
	return judge.Winner(label[c], t.Game), 1
}

type logBuf struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuf) log(s string) { l.mu.Lock(); l.b.WriteString(s + "\n"); l.mu.Unlock() }
func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func newRunner(srv *fakeServer, st *store.Store, logs *logBuf) *judge.Runner {
	cfg := judge.Config{Model: "fake-judge", BaseURL: srv.URL + "/v1", Concurrency: 6, Timeout: timeout,
		MaxRetries: 2, Backoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond}
	return &judge.Runner{Config: cfg, Set: judge.ConcordSet, Store: st, APIKey: testKey, Log: logs.log,
		Client: judge.NewOpenAIClient(judge.ClientConfig{BaseURL: cfg.BaseURL, Model: cfg.Model, APIKey: testKey})}
}

func TestRunnerFaults(t *testing.T) {
	st, dbPath := mustOpen(t)
	writeFixture(t, st, 6, fixtureModels)
	tasks := tasksFor(t, st, judge.Selection{})
	if len(tasks) != 6*3*2*2 {
		t.Fatalf("BuildTasks = %d tasks, want %d", len(tasks), 6*3*2*2)
	}
	classes := map[int]int{}
	for _, tk := range tasks {
		classes[class(tk.User)]++
	}
	for c := range 11 {
		if classes[c] == 0 {
			t.Fatalf("fixture exercises no request of fault class %d: %v", c, classes)
		}
	}
	srv := newFakeServer(t, faults)
	logs := &logBuf{}
	r := newRunner(srv, st, logs)
	ctx := context.Background()
	pending, est, err := judge.Pending(ctx, st, r.Config, r.Set, tasks)
	if err != nil || len(pending) != len(tasks) || est.Done != 0 {
		t.Fatalf("Pending = %d tasks, %d done, %v; want %d, 0", len(pending), est.Done, err, len(tasks))
	}
	var last judge.Progress
	r.OnProgress = func(p judge.Progress) { last = p }
	res, err := r.Run(ctx, pending)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}

	wantErrors := 0
	for _, tk := range tasks {
		w, n := want(tk)
		if w == "error" {
			wantErrors++
		}
		if got := srv.attempts(tk.User); got != n {
			t.Errorf("q%d %s/%s turn %d game %d (class %d): %d requests, want %d", tk.QuestionID, tk.Model1, tk.Model2, tk.Turn, tk.Game, class(tk.User), got, n)
		}
		if class(tk.User) == 1 {
			srv.mu.Lock()
			times := srv.seen[tk.User]
			srv.mu.Unlock()
			if len(times) == 2 && times[1].Sub(times[0]) < retryAfter {
				t.Errorf("retry after 429 came %v later, want at least Retry-After %v", times[1].Sub(times[0]), retryAfter)
			}
		}
	}
	if res.Done != len(tasks) || res.Errors != wantErrors || !last.Finished || last.Done != len(tasks) {
		t.Errorf("Run = done %d, errors %d (last progress %+v); want %d, %d", res.Done, res.Errors, last, len(tasks), wantErrors)
	}

	verdicts, err := st.Verdicts(ctx, "fake-judge")
	if err != nil {
		t.Fatal(err)
	}
	if len(verdicts) != len(tasks)/2 {
		t.Fatalf("Verdicts = %d rows, want %d (one per unit)", len(verdicts), len(tasks)/2)
	}
	byKey := map[store.GameKey]*store.Game{}
	for _, v := range verdicts {
		if v.G1 == nil || v.G2 == nil {
			t.Errorf("verdict q%d %s/%s turn %d: a game is missing", v.QuestionID, v.Model1, v.Model2, v.Turn)
			continue
		}
		if c := combinedGames(t, v.G1.Winner, v.G2.Winner); v.Combined != c {
			t.Errorf("verdict q%d: combined %q, want %q", v.QuestionID, v.Combined, c)
		}
		k := store.GameKey{Prompt: v.Prompt, PromptHash: v.PromptHash, QuestionID: v.QuestionID, Model1: v.Model1, Model2: v.Model2, Turn: v.Turn}
		k.Game = 1
		byKey[k] = v.G1
		k.Game = 2
		byKey[k] = v.G2
	}
	for _, tk := range tasks {
		g := byKey[tk.Key()]
		if g == nil {
			t.Errorf("task %+v: not stored", tk.Key())
			continue
		}
		w, _ := want(tk)
		if g.Winner != w {
			t.Errorf("task %+v (class %d): winner %q, want %q (error %q)", tk.Key(), class(tk.User), g.Winner, w, g.Error)
		}
		if w == "error" && g.Error == "" {
			t.Errorf("task %+v: error game without an error message", tk.Key())
		}
		if c := class(tk.User); (c == 5 || c == 6) && g.Judgment == "" {
			t.Errorf("task %+v: unparseable output not kept", tk.Key())
		}
		if g.UserPrompt != tk.User {
			t.Errorf("task %+v: stored user prompt differs from the one sent", tk.Key())
		}
	}

	// Errors are retried on resume, nothing else.
	again, est, err := judge.Pending(ctx, st, r.Config, r.Set, tasks)
	if err != nil || len(again) != wantErrors || est.Retry != wantErrors || est.Done != len(tasks)-wantErrors {
		t.Errorf("Pending after run = %d tasks (%d retry, %d done), %v; want %d, %d, %d", len(again), est.Retry, est.Done, err,
			wantErrors, wantErrors, len(tasks)-wantErrors)
	}

	// The key was echoed by the server in outputs and errors; it must be nowhere.
	if strings.Contains(logs.String(), testKey) {
		t.Errorf("logs contain the API key")
	}
	if !strings.Contains(logs.String(), "retry") {
		t.Errorf("logs mention no retry:\n%s", logs.String())
	}
	assertNoKey(t, dbPath)
	st.Close()
	assertNoKey(t, dbPath)
}

func assertNoKey(t *testing.T, dbPath string) {
	t.Helper()
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		b, err := os.ReadFile(dbPath + suffix)
		if err != nil {
			continue
		}
		if bytes.Contains(b, []byte(testKey)) {
			t.Errorf("%s contains the API key", dbPath+suffix)
		}
	}
}

func TestRunnerUnauthorizedStops(t *testing.T) {
	st, dbPath := mustOpen(t)
	writeFixture(t, st, 6, fixtureModels)
	tasks := tasksFor(t, st, judge.Selection{})
	srv := newFakeServer(t, func(string, int) reply {
		return reply{status: 401, body: `{"error":{"message":"Incorrect API key provided: $AUTH","type":"invalid_request_error"}}`}
	})
	logs := &logBuf{}
	r := newRunner(srv, st, logs)
	_, err := r.Run(context.Background(), tasks)
	if !errors.Is(err, judge.ErrStopped) || !strings.Contains(err.Error(), "API key") {
		t.Fatalf("Run with a refused key = %v, want ErrStopped naming the API key", err)
	}
	if strings.Contains(err.Error(), testKey) || strings.Contains(err.Error(), testKey[3:]) {
		t.Errorf("error contains the key: %v", err)
	}
	if n := srv.requests(); n > r.Config.Concurrency {
		t.Errorf("%d requests after a 401, want at most %d (those already in flight)", n, r.Config.Concurrency)
	}
	vs, _ := st.Verdicts(context.Background(), "fake-judge")
	if len(vs) != 0 {
		t.Errorf("%d verdicts stored after a 401, want 0", len(vs))
	}
	assertNoKey(t, dbPath)
}

func TestRunnerCancelResume(t *testing.T) {
	st, _ := mustOpen(t)
	writeFixture(t, st, 10, fixtureModels)
	tasks := tasksFor(t, st, judge.Selection{})
	srv := newFakeServer(t, func(string, int) reply { return reply{delay: 15 * time.Millisecond, text: "[[A]]"} })
	r := newRunner(srv, st, &logBuf{})
	r.ProgressEvery = 5 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	r.OnProgress = func(p judge.Progress) {
		if p.Done >= 30 {
			cancel()
		}
	}
	res, err := r.Run(ctx, tasks)
	if !errors.Is(err, context.Canceled) || res.Done >= len(tasks) || res.Done < 30 {
		t.Fatalf("cancelled Run = done %d, %v; want 30 <= done < %d and context.Canceled", res.Done, err, len(tasks))
	}
	games, err := st.JudgeGames(context.Background(), "fake-judge")
	if err != nil || len(games) != res.Done {
		t.Fatalf("after cancel: %d games stored, %v; want %d", len(games), err, res.Done)
	}
	first := map[store.GameKey]bool{}
	for _, g := range games {
		first[g.GameKey] = true
	}

	r.OnProgress = nil
	pending, est, err := judge.Pending(context.Background(), st, r.Config, r.Set, tasks)
	if err != nil || est.Done != res.Done || len(pending) != len(tasks)-res.Done {
		t.Fatalf("Pending = %d pending, %d done, %v; want %d, %d", len(pending), est.Done, err, len(tasks)-res.Done, res.Done)
	}
	if _, err := r.Run(context.Background(), pending); err != nil {
		t.Fatalf("resumed Run: %v", err)
	}
	games, _ = st.JudgeGames(context.Background(), "fake-judge")
	seen := map[store.GameKey]int{}
	for _, g := range games {
		seen[g.GameKey]++
	}
	if len(games) != len(tasks) || len(seen) != len(tasks) {
		t.Errorf("after resume: %d games (%d distinct), want %d", len(games), len(seen), len(tasks))
	}
	for _, tk := range tasks {
		n := srv.attempts(tk.User)
		switch {
		case first[tk.Key()] && n != 1:
			t.Errorf("game %+v finished before the cancel was requested %d times, want 1", tk.Key(), n)
		case n < 1 || n > 2:
			t.Errorf("game %+v requested %d times, want 1 (or 2 if in flight at the cancel)", tk.Key(), n)
		}
	}
	if extra := srv.requests() - len(tasks); extra > r.Config.Concurrency {
		t.Errorf("%d requests repeated, want at most %d (in flight at the cancel)", extra, r.Config.Concurrency)
	}
	vs, _ := st.Verdicts(context.Background(), "fake-judge")
	if len(vs) != len(tasks)/2 {
		t.Errorf("after resume: %d verdict rows, want %d", len(vs), len(tasks)/2)
	}
}

func TestRunnerJudgeConfigClash(t *testing.T) {
	st, _ := mustOpen(t)
	writeFixture(t, st, 2, fixtureModels)
	tasks := tasksFor(t, st, judge.Selection{Turns: []int{1}})
	srv := newFakeServer(t, func(string, int) reply { return reply{text: "[[A]]"} })
	r := newRunner(srv, st, &logBuf{})
	if _, err := r.Run(context.Background(), tasks); err != nil {
		t.Fatal(err)
	}
	r.Config.Temperature = 0.7
	if _, _, err := judge.Pending(context.Background(), st, r.Config, r.Set, tasks); !errors.Is(err, store.ErrJudgeConfig) {
		t.Errorf("Pending with another temperature under the same name = %v, want ErrJudgeConfig", err)
	}
	r.Config.Name = "fake-judge-hot"
	if p, _, err := judge.Pending(context.Background(), st, r.Config, r.Set, tasks); err != nil || len(p) != len(tasks) {
		t.Errorf("Pending under a new name = %d, %v; want %d", len(p), err, len(tasks))
	}
}
