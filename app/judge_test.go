package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"concord/app"
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
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		var req struct{ Messages []struct{ Content string } }
		json.NewDecoder(r.Body).Decode(&req)
		text := "Fine. " + r.Header.Get("Authorization") + "\n[[A]]"
		if len(req.Messages) == 2 && strings.Contains(req.Messages[1].Content, "m3 1 b") {
			text = "cannot decide"
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
	if s := a.JudgeStatus(); s.Running || s.RunID != id {
		t.Fatalf("JudgeStatus after cancel = %+v, want run %d stopped", s, id)
	}
	// Resume to the end.
	if _, err := a.JudgeStart(req); err != nil {
		t.Fatal(err)
	}
	for a.JudgeStatus().Running {
		time.Sleep(10 * time.Millisecond)
	}
	if s := a.JudgeStatus(); s.Error != "" {
		t.Fatalf("JudgeStatus = %+v, want no error", s)
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
