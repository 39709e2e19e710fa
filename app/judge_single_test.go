package app_test

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"concord/app"
	"concord/store"
)

// fakeRater rates every answer 7 (echoing the key it was sent), except m3's
// second turn of question 1, which gets no rating.
func fakeRater(t *testing.T, calls *atomic.Int64) *httptest.Server {
	return fakeReplies(t, calls, "Good. %s\nRating: [[7]]", "hard to say")
}

func TestJudgeCommandSingle(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	db := judgeFixture(t)
	var calls atomic.Int64
	srv := fakeRater(t, &calls)
	var out, errOut bytes.Buffer
	env := &app.Env{Stdout: &out, Stderr: &errOut, DBPath: db,
		Getenv: func(k string) string { return map[string]string{"MY_KEY": judgeTestKey}[k] }}
	base := []string{"judge", "--mode", "single", "--base-url", srv.URL + "/v1", "--model", "fake-4", "--api-key-env", "MY_KEY"}
	ctx := context.Background()

	// 2 questions x 3 models x 2 turns = 12 requests, one per answer and turn.
	if err := app.RunCommand(ctx, env, append(base, "--dry-run")); err != nil {
		t.Fatalf("judge --mode single --dry-run: %v", err)
	}
	if !strings.Contains(out.String(), "would send 12 requests for 12 answers (0 ratings already done)") || !strings.Contains(out.String(), "concord (single)") || calls.Load() != 0 {
		t.Errorf("dry run printed:\n%s\n(%d requests sent); want 12 requests with the single prompts and none sent", out.String(), calls.Load())
	}
	err := app.RunCommand(ctx, env, base)
	if err == nil || !strings.Contains(err.Error(), "1 of 12 ratings ended in errors") || calls.Load() != 12 {
		t.Fatalf("judge --mode single = %v after %d requests; want 1 of 12 errored, 12 requests", err, calls.Load())
	}
	if !strings.Contains(out.String(), "12/12 ratings, 1 errors") || strings.Contains(out.String(), "games") {
		t.Errorf("judge --mode single printed:\n%s\nwant its progress in ratings, never games", out.String())
	}
	out.Reset()
	err = app.RunCommand(ctx, env, append(base, "--dry-run"))
	if err != nil || !strings.Contains(out.String(), "for 1 answers (11 ratings already done, 1 errored ratings to retry)") {
		t.Errorf("dry run after the run = %v, printed:\n%s\nwant 1 answer, 11 ratings done and 1 to retry", err, out.String())
	}
	err = app.RunCommand(ctx, env, base)
	if err == nil || !strings.Contains(err.Error(), "1 of 1 ratings") || calls.Load() != 13 {
		t.Errorf("judge --mode single again = %v after %d requests; want only the errored rating retried", err, calls.Load())
	}
	if err := app.RunCommand(ctx, env, append(base[:0:0], "judge", "--mode", "triple", "--base-url", srv.URL+"/v1", "--model", "fake-4", "--dry-run")); err == nil || !strings.Contains(err.Error(), "triple") {
		t.Errorf("judge --mode triple = %v, want an error naming the mode", err)
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if b, err := os.ReadFile(db + suffix); err == nil && bytes.Contains(b, []byte(judgeTestKey)) {
			t.Errorf("%s contains the API key", db+suffix)
		}
	}
	if strings.Contains(out.String()+errOut.String(), judgeTestKey) {
		t.Error("the output contains the API key")
	}
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rs, err := st.Ratings(ctx, "fake-4")
	if err != nil || len(rs) != 12 {
		t.Fatalf("Ratings(fake-4) = %d, %v; want 12", len(rs), err)
	}
	errs := 0
	for _, r := range rs {
		if r.IsError() {
			errs++
			if r.Model != "m3" || r.QuestionID != 1 || r.Turn != 2 || r.Judgment != "hard to say" {
				t.Errorf("error rating %+v, want m3's q1 turn 2 with its reply kept", r)
			}
		} else if r.Score != 7 || r.Prompt == "" || r.TokensIn != 10 {
			t.Errorf("rating %+v, want 7 with its prompt and tokens", r)
		}
	}
	if errs != 1 {
		t.Errorf("error ratings = %d, want 1", errs)
	}
	if vs, _ := st.Verdicts(ctx, "fake-4"); len(vs) != 0 {
		t.Errorf("a single run stored %d verdicts", len(vs))
	}
}
