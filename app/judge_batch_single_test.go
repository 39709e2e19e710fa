package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"concord/app"
	"concord/store"
)

// singleRatings splits a judge's stored ratings into scores and errors.
func singleRatings(t *testing.T, st *store.Store, judgeName string) (scores map[float64]int, errs int) {
	t.Helper()
	rs, err := st.Ratings(context.Background(), judgeName)
	if err != nil {
		t.Fatal(err)
	}
	scores = map[float64]int{}
	for _, r := range rs {
		if r.Error != "" {
			errs++
			if !strings.Contains(r.Judgment, "cannot decide") {
				t.Errorf("error rating %+v lost its raw text", r)
			}
			continue
		}
		scores[r.Score]++
	}
	return scores, errs
}

func TestJudgeBatchSingleCommand(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	db := judgeFixture(t)
	fake, srv := newFakeBatchAPI(t)
	var out, errOut bytes.Buffer
	env := &app.Env{Stdout: &out, Stderr: &errOut, DBPath: db,
		Getenv: func(k string) string { return map[string]string{"MY_KEY": judgeTestKey}[k] }}
	base := []string{"judge", "--mode", "single", "--base-url", srv.URL + "/v1", "--model", "gpt-4o", "--api-key-env", "MY_KEY", "--batch"}
	ctx := context.Background()

	var rep struct {
		Plan struct {
			Requests  int     `json:"requests"`
			Units     int     `json:"units"`
			Cost      float64 `json:"cost"`
			BatchCost float64 `json:"batchCost"`
			Parts     int     `json:"parts"`
		} `json:"plan"`
		Batches []app.BatchStatus `json:"batches"`
	}
	if err := app.RunCommand(ctx, env, append(base, "--dry-run", "--json", "--batch-max-requests", "5")); err != nil {
		t.Fatalf("judge --mode single --batch --dry-run: %v", err)
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("dry run JSON: %v\n%s", err, out.String())
	}
	// 2 questions x 3 models x 2 turns, one request each.
	if p := rep.Plan; p.Requests != 12 || p.Parts != 3 || p.Cost <= 0 || p.BatchCost > p.Cost*0.5+1e-12 || p.BatchCost < p.Cost*0.5-1e-12 {
		t.Errorf("single batch dry run = %+v, want 12 requests in 3 parts at half the live cost", p)
	}

	out.Reset()
	if err := app.RunCommand(ctx, env, append(base, "--batch-max-requests", "5", "--wait", "--batch-poll", "5ms", "--json")); err != nil {
		t.Fatalf("judge --mode single --batch --wait: %v\n%s", err, errOut.String())
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("run JSON: %v\n%s", err, out.String())
	}
	for _, b := range rep.Batches {
		if b.Kind != "single" || !b.Ingested || b.Status != "completed" {
			t.Errorf("batch %d = kind %s, %s, ingested %v; want a completed single batch", b.ID, b.Kind, b.Status, b.Ingested)
		}
	}
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	scores, errs := singleRatings(t, st, "gpt-4o")
	vs, _ := st.Verdicts(ctx, "gpt-4o")
	st.Close()
	// m3's answer to question 1's second turn gets "cannot decide": an error, never a score.
	if len(rep.Batches) != 3 || scores[7] != 11 || len(scores) != 1 || errs != 1 || len(vs) != 0 || fake.lines != 12 {
		t.Errorf("%d batches; scores %v, %d errors, %d verdicts, %d lines answered; want 3, 11 sevens, 1 error, none, 12",
			len(rep.Batches), scores, errs, len(vs), fake.lines)
	}

	// The error is pending again; a second batch sends only it, and the errors say "ratings".
	out.Reset()
	if err := app.RunCommand(ctx, env, append(base, "--wait", "--batch-poll", "5ms")); err != nil {
		t.Fatalf("judge --mode single --batch again: %v", err)
	}
	if fake.lines != 13 {
		t.Errorf("the rerun answered %d lines in all, printed:\n%s\nwant 13 (the error once more)", fake.lines, out.String())
	}
	for name, s := range map[string]string{"stdout": out.String(), "stderr": errOut.String()} {
		if strings.Contains(s, judgeTestKey) {
			t.Errorf("%s contains the API key", name)
		}
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if b, err := os.ReadFile(db + suffix); err == nil && bytes.Contains(b, []byte(judgeTestKey)) {
			t.Errorf("%s contains the API key", db+suffix)
		}
	}
}

// TestBatchWindowResumeSingle starts a single-answer batch run from the
// window, closes the app while the provider works and opens it again: the
// recorded batches are picked up and their ratings stored.
func TestBatchWindowResumeSingle(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("MY_BATCH_KEY", judgeTestKey)
	t.Setenv("CONCORD_BATCH_POLL", "5ms")
	db := judgeFixture(t)
	fake, srv := newFakeBatchAPI(t)
	fake.mu.Lock()
	fake.hold = true
	fake.mu.Unlock()
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	a := app.New(st)
	app.SetEmit(a, func(string, any) {})
	req := app.JudgeRequest{BaseURL: srv.URL + "/v1", Model: "fake-4", APIKeyEnv: "MY_BATCH_KEY", Mode: app.ModeSingle}
	plan, err := a.BatchStart(req, app.BatchOptions{Discount: 0.5, MaxRequests: 5})
	if err != nil || plan.Parts != 3 || plan.Requests != 12 {
		t.Fatalf("BatchStart = %+v, %v; want 12 requests in 3 parts", plan, err)
	}
	waitFor(t, "the provider to have the batches", func() bool {
		w, _ := a.BatchStatus()
		n := 0
		for _, b := range w.Batches {
			if b.Status == "in_progress" {
				n++
			}
		}
		return n == 3
	})
	app.StopBatches(a) // the window closes
	st.Close()

	fake.mu.Lock()
	fake.hold = false
	fake.mu.Unlock()
	st, err = store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a = app.New(st)
	app.SetEmit(a, func(string, any) {})
	app.ResumeBatches(a)
	waitFor(t, "the batches to be collected", func() bool {
		w, _ := a.BatchStatus()
		return !w.Watching
	})
	w, _ := a.BatchStatus()
	stored := 0
	for _, b := range w.Batches {
		stored += b.Stored
	}
	scores, errs := singleRatings(t, st, "fake-4")
	if w.Error != "" || stored != 12 || scores[7] != 11 || errs != 1 || fake.lines != 12 {
		t.Errorf("after the restart: error %q, %d lines stored, scores %v, %d errors, %d answered; want 12, 11 sevens, 1, 12",
			w.Error, stored, scores, errs, fake.lines)
	}
}
