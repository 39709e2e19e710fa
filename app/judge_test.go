package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"concord/app"
	"concord/judge"
	"concord/store"
)

const judgeTestKey = "sk-app-judge-test-1a2b3c4d5e6f"

// judgeFixture writes 2 questions and 3 models' answers and imports them.
func judgeFixture(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "model_answer"), 0o755)
	var qs strings.Builder
	for i := 1; i <= 2; i++ {
		fmt.Fprintf(&qs, `{"question_id": %d, "category": "writing", "turns": ["q%d a", "q%d b"]}`+"\n", i, i, i)
	}
	os.WriteFile(filepath.Join(dir, "question.jsonl"), []byte(qs.String()), 0o644)
	for _, m := range []string{"m1", "m2", "m3"} {
		var as strings.Builder
		for i := 1; i <= 2; i++ {
			fmt.Fprintf(&as, `{"question_id": %d, "model_id": "%s", "choices": [{"index": 0, "turns": ["%s %d a", "%s %d b"]}]}`+"\n", i, m, m, i, m, i)
		}
		os.WriteFile(filepath.Join(dir, "model_answer", m+".jsonl"), []byte(as.String()), 0o644)
	}
	db := filepath.Join(t.TempDir(), "x.db")
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Import(context.Background(), []string{dir}, store.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	return db
}

// fakeJudge answers [[A]], except "no verdict" for prompts mentioning m3's second turn.
func fakeJudge(t *testing.T, calls *atomic.Int64) *httptest.Server {
	return fakeReplies(t, calls, "Fine. %s\n[[A]]", "cannot decide")
}

// fakeReplies is an OpenAI-compatible server that answers every request with
// reply, its %s filled with the Authorization header it was sent (so a key
// that leaks into a stored explanation shows), except the requests about m3's
// second turn of question 1 ("m3 1 b"), which get fail.
func fakeReplies(t *testing.T, calls *atomic.Int64, reply, fail string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		var req struct{ Messages []struct{ Content string } }
		json.NewDecoder(r.Body).Decode(&req)
		text := fmt.Sprintf(reply, r.Header.Get("Authorization"))
		if len(req.Messages) == 2 && strings.Contains(req.Messages[1].Content, "m3 1 b") {
			text = fail
		}
		b, _ := json.Marshal(map[string]any{"choices": []any{map[string]any{"message": map[string]any{"role": "assistant", "content": text}}},
			"usage": map[string]any{"prompt_tokens": 10, "completion_tokens": 3}})
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestJudgeCommand(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	db := judgeFixture(t)
	var calls atomic.Int64
	srv := fakeJudge(t, &calls)
	var out, errOut bytes.Buffer
	env := &app.Env{Stdout: &out, Stderr: &errOut, DBPath: db,
		Getenv: func(k string) string { return map[string]string{"MY_KEY": judgeTestKey}[k] }}
	base := []string{"judge", "--base-url", srv.URL + "/v1", "--model", "fake-4", "--api-key-env", "MY_KEY"}
	ctx := context.Background()

	// 2 questions x 3 pairs x 2 turns x 2 orders = 24 requests.
	if err := app.RunCommand(ctx, env, append(base, "--dry-run")); err != nil {
		t.Fatalf("judge --dry-run: %v", err)
	}
	if !strings.Contains(out.String(), "would send 24 requests for 12 units") || !strings.Contains(out.String(), "env MY_KEY") || calls.Load() != 0 {
		t.Errorf("judge --dry-run printed:\n%s\n(%d requests sent), want 24 requests for 12 units from env MY_KEY and none sent", out.String(), calls.Load())
	}
	out.Reset()
	err := app.RunCommand(ctx, env, base)
	// m3's answers to question 1, turn 2 appear in 4 requests (2 pairs x 2 orders): those end in errors.
	if err == nil || !strings.Contains(err.Error(), "4 of 24 games ended in errors") {
		t.Fatalf("judge = %v, want an error counting 4 of 24 errored games", err)
	}
	if calls.Load() != 24 {
		t.Errorf("judge sent %d requests, want 24", calls.Load())
	}
	out.Reset()
	err = app.RunCommand(ctx, env, base)
	if err == nil || !strings.Contains(err.Error(), "4 of 4 games") || calls.Load() != 28 {
		t.Errorf("judge again = %v after %d requests; want only the 4 errored games retried (28 requests)", err, calls.Load())
	}
	for name, s := range map[string]string{"stdout": out.String(), "stderr": errOut.String(), "error": err.Error()} {
		if strings.Contains(s, judgeTestKey) {
			t.Errorf("%s contains the API key", name)
		}
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if b, err := os.ReadFile(db + suffix); err == nil && bytes.Contains(b, []byte(judgeTestKey)) {
			t.Errorf("%s contains the API key", db+suffix)
		}
	}
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	vs, err := st.Verdicts(ctx, "fake-4")
	if err != nil || len(vs) != 12 {
		t.Fatalf("Verdicts(fake-4) = %d, %v; want 12", len(vs), err)
	}
	for _, v := range vs {
		if v.G1 == nil || v.G2 == nil || (v.Combined != "inconsistent" && v.Combined != "error") {
			t.Errorf("verdict q%d %s/%s turn %d: combined %q, want inconsistent ([[A]] in both orders) or error", v.QuestionID, v.Model1, v.Model2, v.Turn, v.Combined)
		}
	}
}

func TestJudgeCommandUsage(t *testing.T) {
	env := &app.Env{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}, DBPath: filepath.Join(t.TempDir(), "x.db")}
	for _, args := range [][]string{
		{"judge"},
		{"judge", "--model", "m"},
		{"judge", "--base-url", "http://x/v1", "--model", "m", "--models", "a,b", "--pairs", "a:b"},
		{"judge", "--base-url", "http://x/v1", "--model", "m", "--turns", "one"},
	} {
		if err := app.RunCommand(context.Background(), env, args); err == nil || !strings.Contains(err.Error(), "usage") {
			t.Errorf("RunCommand(%q) = %v, want a usage error", args, err)
		}
	}
}

func TestSetAPIKey(t *testing.T) {
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	t.Setenv("OPENAI_API_KEY", "")
	a := app.New(nil)
	if err := a.SetAPIKey(judgeTestKey); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(cfg, "concord", "api_key"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, %v; want mode 0600", fi, err)
	}
	if src, err := a.APIKeySource(""); err != nil || src != "key file" {
		t.Errorf("APIKeySource = %q, %v; want key file", src, err)
	}
	if err := a.SetAPIKey(""); err != nil {
		t.Fatal(err)
	}
	if src, _ := a.APIKeySource(""); src != "none" {
		t.Errorf("APIKeySource after removing the key = %q, want none", src)
	}
}

func TestAppJudgeRun(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("OPENAI_API_KEY", judgeTestKey)
	db := judgeFixture(t)
	var calls atomic.Int64
	srv := fakeJudge(t, &calls)
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a := app.New(st)
	req := app.JudgeRequest{BaseURL: srv.URL + "/v1", Model: "fake-4", Turns: []int{1}}
	plan, err := a.JudgeDryRun(req)
	if err != nil || plan.Requests != 12 || plan.KeySource != "env OPENAI_API_KEY" || plan.Judge != "fake-4" {
		t.Fatalf("JudgeDryRun = %+v, %v; want 12 requests, key from env, judge fake-4", plan, err)
	}
	id, err := a.JudgeStart(req)
	if err != nil || id == 0 {
		t.Fatalf("JudgeStart = %d, %v", id, err)
	}
	if err := a.JudgeCancel(); err != nil { // waits for the run to end
		t.Fatal(err)
	}
	if s := a.JudgeStatus(); s.Running || s.RunID != id || s.Outcome != app.OutcomeCancelled || s.Error != "" {
		t.Fatalf("JudgeStatus after cancel = %+v, want run %d cancelled with no error", s, id)
	}
	// Resume to the end.
	if _, err := a.JudgeStart(req); err != nil {
		t.Fatal(err)
	}
	for a.JudgeStatus().Running {
		time.Sleep(10 * time.Millisecond)
	}
	if s := a.JudgeStatus(); s.Error != "" || s.Outcome != app.OutcomeFinished {
		t.Fatalf("JudgeStatus = %+v, want finished with no error", s)
	}
	vs, err := a.JudgeVerdicts("fake-4", 0)
	if err != nil || len(vs) != 6 {
		t.Fatalf("JudgeVerdicts = %d, %v; want 6 (2 questions x 3 pairs, turn 1)", len(vs), err)
	}
	if vs[0].G1 == nil || vs[0].G1.UserPrompt != "" || vs[0].G1.Judgment == "" {
		t.Errorf("JudgeVerdicts game = %+v, want a judgment without the user prompt", vs[0].G1)
	}
	d, err := a.JudgeVerdict("fake-4", vs[0].ID)
	if err != nil || len(d.Answer1) != 2 || len(d.Question.Turns) != 2 || d.Verdict.G2 == nil {
		t.Errorf("JudgeVerdict = %+v, %v; want the question, both answers and both games", d, err)
	}
	if strings.Contains(d.Verdict.G1.Judgment, judgeTestKey) {
		t.Errorf("stored judgment contains the API key")
	}
	if calls.Load() > 12+8 {
		t.Errorf("%d requests for 12 games, want at most 12 + 8 (in flight at the cancel)", calls.Load())
	}
}

// waitJudge waits for the window's run to end and returns its status.
func waitJudge(t *testing.T, a *app.App) app.JudgeStatus {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for a.JudgeStatus().Running {
		if time.Now().After(deadline) {
			t.Fatal("the judge run did not end within 20s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	return a.JudgeStatus()
}

// TestAppJudgeEvents checks the order the window relies on: every status of
// a run has a larger Seq than the one sent before it, judge:done comes last
// with the largest Seq and the run's final counters, and nothing follows it.
func TestAppJudgeEvents(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("OPENAI_API_KEY", judgeTestKey)
	db := judgeFixture(t)
	var calls atomic.Int64
	srv := fakeJudge(t, &calls)
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a := app.New(st)
	type event struct {
		name string
		s    app.JudgeStatus
	}
	var mu sync.Mutex
	var events []event
	app.SetEmit(a, func(name string, data any) {
		if s, ok := data.(app.JudgeStatus); ok {
			mu.Lock()
			events = append(events, event{name, s})
			mu.Unlock()
		}
	})
	for run := 1; run <= 3; run++ {
		mu.Lock()
		events = nil
		mu.Unlock()
		// Run 1 is cancelled part-way; runs 2 and 3 resume it (3 has only the errored games left).
		req := app.JudgeRequest{BaseURL: srv.URL + "/v1", Model: "fake-4", Concurrency: 2}
		plan, err := a.JudgeDryRun(req)
		if err != nil {
			t.Fatal(err)
		}
		id, err := a.JudgeStart(req)
		if err != nil {
			t.Fatal(err)
		}
		if run == 1 {
			// Cancel once the run is under way (its plan made, a request sent):
			// a fixed sleep raced the planning on a loaded machine.
			for deadline := time.Now().Add(10 * time.Second); calls.Load() == 0 && time.Now().Before(deadline); {
				time.Sleep(time.Millisecond)
			}
			a.JudgeCancel()
		}
		final := waitJudge(t, a)
		time.Sleep(50 * time.Millisecond) // anything sent after the end would arrive by now
		mu.Lock()
		got := slices.Clone(events)
		mu.Unlock()
		if len(got) == 0 || got[len(got)-1].name != app.EventJudgeDone {
			t.Fatalf("run %d: %d events, last %+v; want judge:done last", run, len(got), got)
		}
		done := got[len(got)-1].s
		if done != final {
			t.Errorf("run %d: judge:done = %+v, JudgeStatus = %+v; want the same", run, done, final)
		}
		for i, e := range got {
			if e.s.RunID != id {
				t.Errorf("run %d: event %d has run id %d, want %d", run, i, e.s.RunID, id)
			}
			if i > 0 && e.s.Seq <= got[i-1].s.Seq {
				t.Errorf("run %d: event %d (%s) seq %d after seq %d; want increasing", run, i, e.name, e.s.Seq, got[i-1].s.Seq)
			}
			if e.name == app.EventJudgeDone && i != len(got)-1 {
				t.Errorf("run %d: judge:done is event %d of %d; want it once, last", run, i, len(got))
			}
			if e.name == app.EventJudgeProgress && (!e.s.Running || e.s.Progress.Finished) {
				t.Errorf("run %d: progress event %+v; want only running, unfinished progress", run, e.s)
			}
		}
		if done.Running || done.Progress.Total != plan.Requests || done.Error != "" {
			t.Errorf("run %d: judge:done = %+v; want ended, total %d, no error", run, done, plan.Requests)
		}
		// The final counters are the games this run stored.
		after, err := a.JudgeDryRun(req)
		if err != nil {
			t.Fatal(err)
		}
		if stored := after.Done - plan.Done + done.Progress.Errors; done.Progress.Done != stored {
			t.Errorf("run %d: judge:done counts %d games, the store gained %d", run, done.Progress.Done, stored)
		}
		wantOutcome := app.OutcomeFinished
		if run == 1 && done.Progress.Done < done.Progress.Total {
			wantOutcome = app.OutcomeCancelled
		}
		if done.Outcome != wantOutcome {
			t.Errorf("run %d: outcome %q (%d of %d done), want %q", run, done.Outcome, done.Progress.Done, done.Progress.Total, wantOutcome)
		}
		if run > 1 && done.Progress.Done != plan.Requests {
			t.Errorf("run %d: done %d, want all %d planned games", run, done.Progress.Done, plan.Requests)
		}
	}
}

// TestAppJudgeRefusedKey: a 401 stops the run at once, with a message that
// says so and does not contain the key.
func TestAppJudgeRefusedKey(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("OPENAI_API_KEY", judgeTestKey)
	db := judgeFixture(t)
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		// Echo the key, as a careless server might: it must not reach the status.
		fmt.Fprintf(w, `{"error": {"message": "Incorrect API key provided: %s", "type": "invalid_request_error", "code": "invalid_api_key"}}`,
			strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
	}))
	defer srv.Close()
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a := app.New(st)
	req := app.JudgeRequest{BaseURL: srv.URL + "/v1", Model: "fake-4", Concurrency: 2}
	if _, err := a.JudgeStart(req); err != nil {
		t.Fatal(err)
	}
	s := waitJudge(t, a)
	if s.Outcome != app.OutcomeStopped || !strings.Contains(s.Error, "refused the API key") || s.Progress.Done != 0 {
		t.Errorf("JudgeStatus after a 401 = %+v; want stopped, 0 games done, an error saying the key was refused", s)
	}
	if strings.Contains(s.Error, judgeTestKey) || strings.Contains(s.Progress.Stopped, judgeTestKey) {
		t.Errorf("JudgeStatus error %q contains the API key", s.Error)
	}
	if n := calls.Load(); n > 2 {
		t.Errorf("%d requests after a 401 with 2 workers; want at most 2 (no retries)", n)
	}
}

func TestJudgeStudy(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("OPENAI_API_KEY", judgeTestKey)
	db := judgeFixture(t)
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// Two of the three models, question 2 and turn 2 only: 1 item, 1 unit.
	study, err := st.CreateStudy(ctx, store.StudySpec{Name: "s", Pairs: [][2]string{{"m3", "m1"}}, Turns: []int{2}, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	items, err := st.StudyItems(ctx, study.ID)
	if err != nil || len(items) != 2 {
		t.Fatalf("StudyItems = %v, %v; want 2 items (2 questions x 1 pair)", items, err)
	}
	a := app.New(st)
	var calls atomic.Int64
	srv := fakeJudge(t, &calls)
	// The selection fields are ignored when a study is given.
	req := app.JudgeRequest{BaseURL: srv.URL + "/v1", Model: "fake-4", StudyID: study.ID, Models: []string{"m1", "m2"}, Turns: []int{1}}
	plan, err := a.JudgeDryRun(req)
	if err != nil || plan.Units != 2 || plan.Requests != 4 {
		t.Fatalf("JudgeDryRun(study) = %+v, %v; want 2 units, 4 requests", plan, err)
	}
	if _, err := a.JudgeStart(req); err != nil {
		t.Fatal(err)
	}
	if s := waitJudge(t, a); s.Progress.Done != 4 {
		t.Fatalf("study run = %+v, want 4 games", s)
	}
	vs, err := a.JudgeVerdicts("fake-4", 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range vs {
		got = append(got, fmt.Sprintf("q%d %s/%s t%d", v.QuestionID, v.Model1, v.Model2, v.Turn))
	}
	slices.Sort(got)
	if want := []string{"q1 m1/m3 t2", "q2 m1/m3 t2"}; !slices.Equal(got, want) {
		t.Errorf("verdicts of the study run = %v, want %v", got, want)
	}
	st.Close()

	// The command line: --study, and refused together with selection flags.
	var out bytes.Buffer
	env := &app.Env{Stdout: &out, Stderr: &bytes.Buffer{}, DBPath: db, Getenv: func(string) string { return judgeTestKey }}
	base := []string{"judge", "--base-url", srv.URL + "/v1", "--model", "fake-5", "--study", fmt.Sprint(study.ID), "--dry-run"}
	if err := app.RunCommand(ctx, env, base); err != nil || !strings.Contains(out.String(), "would send 4 requests for 2 units") {
		t.Errorf("judge --study --dry-run = %v, printed:\n%s\nwant 4 requests for 2 units", err, out.String())
	}
	for _, extra := range [][]string{{"--models", "m1,m2"}, {"--turns", "1"}, {"--categories", "writing"}} {
		if err := app.RunCommand(ctx, env, append(slices.Clone(base), extra...)); err == nil || !strings.Contains(err.Error(), "--study selects") {
			t.Errorf("judge --study %v = %v, want a usage error", extra, err)
		}
	}
	if err := app.RunCommand(ctx, env, []string{"judge", "--base-url", srv.URL + "/v1", "--model", "fake-5", "--study", "99", "--dry-run"}); err == nil || !strings.Contains(err.Error(), "no such study") {
		t.Errorf("judge --study 99 = %v, want no such study", err)
	}
}

func TestJudgePrices(t *testing.T) {
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	t.Setenv("OPENAI_API_KEY", judgeTestKey)
	db := judgeFixture(t)
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a := app.New(st)
	pt, err := a.JudgePrices()
	if err != nil || pt.File != filepath.Join(cfg, "concord", "prices.json") || len(pt.Rows) == 0 {
		t.Fatalf("JudgePrices = %+v, %v; want the default table in the config folder", pt, err)
	}
	if !slices.IsSortedFunc(pt.Rows, func(x, y app.PriceRow) int { return strings.Compare(x.Model, y.Model) }) {
		t.Errorf("JudgePrices rows not sorted by model: %v", pt.Rows)
	}
	before, _ := os.ReadFile(pt.File)
	for _, rows := range [][]app.PriceRow{
		{{Model: "fake", Price: judge.Price{InputPerMillion: -1}}},
		{{Model: "fake", Price: judge.Price{OutputPerMillion: -0.5}}},
		{{Model: " ", Price: judge.Price{}}},
		{{Model: "fake"}, {Model: " fake "}},
	} {
		if _, err := a.SaveJudgePrices(rows); err == nil {
			t.Errorf("SaveJudgePrices(%+v) = nil, want an error", rows)
		}
	}
	if after, _ := os.ReadFile(pt.File); !bytes.Equal(before, after) {
		t.Errorf("refused saves changed the price file")
	}
	// A price for the judge's model: the dry run's cost follows it.
	rows := []app.PriceRow{{Model: " fake ", Price: judge.Price{InputPerMillion: 1000, OutputPerMillion: 2000}}, {Model: "gpt-4o"}}
	saved, err := a.SaveJudgePrices(rows)
	if err != nil || len(saved.Rows) != 2 || saved.Rows[0].Model != "fake" {
		t.Fatalf("SaveJudgePrices = %+v, %v; want 2 rows, trimmed", saved, err)
	}
	plan, err := a.JudgeDryRun(app.JudgeRequest{BaseURL: "http://127.0.0.1:1/v1", Model: "fake-4", Turns: []int{1}})
	if err != nil || !plan.CostKnown || plan.Price.InputPerMillion != 1000 {
		t.Fatalf("JudgeDryRun after saving prices = %+v, %v; want the saved price of fake", plan, err)
	}
	want := float64(plan.TokensIn)/1e6*1000 + float64(plan.TokensOut)/1e6*2000
	if math.Abs(plan.Cost-want) > 1e-9 {
		t.Errorf("JudgeDryRun cost = %v, want %v", plan.Cost, want)
	}
}
