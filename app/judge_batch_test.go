package app_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"concord/app"
	"concord/store"
)

// fakeBatchAPI is a minimal OpenAI files and batches server whose batches
// are in progress at the first status check and completed at the second,
// answering each line as fakeJudge would (a rating of 7 for a
// single-answer line).
type fakeBatchAPI struct {
	mu       sync.Mutex
	files    map[string][]byte
	batches  map[string]map[string]any
	checks   map[string]int
	lines    int
	cancels  int
	n        int
	authSeen map[string]bool
	hold     bool // batches stay in progress
}

func newFakeBatchAPI(t *testing.T) (*fakeBatchAPI, *httptest.Server) {
	f := &fakeBatchAPI{files: map[string][]byte{}, batches: map[string]map[string]any{}, checks: map[string]int{}, authSeen: map[string]bool{}}
	srv := httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakeBatchAPI) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.authSeen[r.Header.Get("Authorization")] = true
	w.Header().Set("Content-Type", "application/json")
	p := r.URL.Path
	switch {
	case r.Method == "POST" && p == "/v1/files":
		file, _, err := r.FormFile("file")
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		b, _ := io.ReadAll(file)
		f.n++
		id := fmt.Sprintf("file-%d", f.n)
		f.files[id] = b
		json.NewEncoder(w).Encode(map[string]any{"id": id, "object": "file", "purpose": "batch", "bytes": len(b)})
	case r.Method == "GET" && strings.HasSuffix(p, "/content"):
		w.Write(f.files[strings.TrimSuffix(strings.TrimPrefix(p, "/v1/files/"), "/content")])
	case r.Method == "GET" && p == "/v1/batches":
		json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": []any{}})
	case r.Method == "POST" && p == "/v1/batches":
		var req struct {
			InputFileID string `json:"input_file_id"`
		}
		json.NewDecoder(r.Body).Decode(&req)
		f.n++
		id := fmt.Sprintf("batch-%d", f.n)
		f.batches[id] = map[string]any{"id": id, "status": "validating", "input_file_id": req.InputFileID}
		json.NewEncoder(w).Encode(f.batches[id])
	case strings.HasPrefix(p, "/v1/batches/"):
		id := strings.TrimSuffix(strings.TrimPrefix(p, "/v1/batches/"), "/cancel")
		b := f.batches[id]
		if strings.HasSuffix(p, "/cancel") {
			f.cancels++
			b["status"] = "cancelled"
		}
		f.checks[id]++
		if b["status"] == "validating" {
			b["status"] = "in_progress"
		}
		// The first Refresh sees a batch in progress twice and stops; the third look completes it.
		if b["status"] == "in_progress" && f.checks[id] >= 3 && !f.hold {
			f.complete(b, r.Header.Get("Authorization"))
		}
		json.NewEncoder(w).Encode(b)
	default:
		http.NotFound(w, r)
	}
}

func (f *fakeBatchAPI) complete(b map[string]any, auth string) {
	var out bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(f.files[b["input_file_id"].(string)]))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var l struct {
			CustomID string `json:"custom_id"`
			Body     struct{ Messages []struct{ Content string } }
		}
		json.Unmarshal(sc.Bytes(), &l)
		f.lines++
		text := "Fine. " + auth + "\n[[A]]"
		if strings.HasSuffix(l.CustomID, "|s") { // a single-answer rating
			text = "Fine. " + auth + "\nRating: [[7]]"
		}
		if strings.Contains(l.Body.Messages[1].Content, "m3 1 b") {
			text = "cannot decide"
		}
		json.NewEncoder(&out).Encode(map[string]any{"custom_id": l.CustomID, "response": map[string]any{"status_code": 200,
			"body": map[string]any{"choices": []any{map[string]any{"message": map[string]any{"role": "assistant", "content": text}}},
				"usage": map[string]any{"prompt_tokens": 10, "completion_tokens": 3}}}})
	}
	f.n++
	id := fmt.Sprintf("file-%d", f.n)
	f.files[id] = out.Bytes()
	b["status"], b["output_file_id"] = "completed", id
}

func TestJudgeBatchCommand(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	db := judgeFixture(t)
	fake, srv := newFakeBatchAPI(t)
	var out, errOut bytes.Buffer
	env := &app.Env{Stdout: &out, Stderr: &errOut, DBPath: db,
		Getenv: func(k string) string { return map[string]string{"MY_KEY": judgeTestKey}[k] }}
	base := []string{"judge", "--base-url", srv.URL + "/v1", "--model", "gpt-4o", "--api-key-env", "MY_KEY"}
	ctx := context.Background()

	// The dry run prices the batch at the discount.
	var plan struct {
		Plan struct {
			Requests  int     `json:"requests"`
			Cost      float64 `json:"cost"`
			BatchCost float64 `json:"batchCost"`
			Parts     int     `json:"parts"`
		} `json:"plan"`
	}
	if err := app.RunCommand(ctx, env, append(base, "--batch", "--dry-run", "--json", "--batch-discount", "0.4", "--batch-max-requests", "10")); err != nil {
		t.Fatalf("judge --batch --dry-run: %v", err)
	}
	if err := json.Unmarshal(out.Bytes(), &plan); err != nil {
		t.Fatalf("dry run JSON: %v\n%s", err, out.String())
	}
	if p := plan.Plan; p.Requests != 24 || p.Parts != 3 || p.Cost <= 0 || p.BatchCost < p.Cost*0.6-1e-12 || p.BatchCost > p.Cost*0.6+1e-12 {
		t.Errorf("batch dry run = %+v, want 24 requests in 3 parts at 60%% of the live cost", p)
	}
	if len(fake.files) != 0 {
		t.Error("the dry run uploaded something")
	}

	// Submit: recorded, uploaded and created, not yet done.
	out.Reset()
	if err := app.RunCommand(ctx, env, append(base, "--batch", "--batch-max-requests", "10")); err != nil {
		t.Fatalf("judge --batch: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "--batch-status") || len(fake.batches) != 3 {
		t.Errorf("judge --batch printed:\n%s\nwith %d provider batches; want 3 and a hint to collect them", out.String(), len(fake.batches))
	}
	// Submitting again while they are open sends nothing new.
	out.Reset()
	if err := app.RunCommand(ctx, env, append(base, "--batch")); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "24 games are already in open batches") || len(fake.batches) != 3 {
		t.Errorf("judge --batch again printed:\n%s\n(%d provider batches); want the 24 games left alone", out.String(), len(fake.batches))
	}
	// The status check collects them.
	out.Reset()
	if err := app.RunCommand(ctx, env, []string{"judge", "--batch-status", "--json"}); err != nil {
		t.Fatalf("judge --batch-status: %v", err)
	}
	var bs []app.BatchStatus
	if err := json.Unmarshal(out.Bytes(), &bs); err != nil {
		t.Fatalf("status JSON: %v\n%s", err, out.String())
	}
	stored := 0
	for _, b := range bs {
		if !b.Ingested || b.Status != "completed" {
			t.Errorf("batch %d = %s, ingested %v; want completed and stored", b.ID, b.Status, b.Ingested)
		}
		stored += b.Stored
	}
	if len(bs) != 3 || stored != 24 || fake.lines != 24 {
		t.Errorf("%d batches, %d lines stored, %d answered; want 3, 24, 24", len(bs), stored, fake.lines)
	}
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	vs, _ := st.Verdicts(ctx, "gpt-4o")
	st.Close()
	if len(vs) != 12 {
		t.Errorf("%d verdicts stored, want 12", len(vs))
	}
	// The 4 games without a verdict are pending again: a new batch sends only them.
	out.Reset()
	if err := app.RunCommand(ctx, env, append(base, "--batch", "--wait", "--batch-poll", "10ms")); err != nil {
		t.Fatalf("judge --batch --wait: %v", err)
	}
	if fake.lines != 28 || !regexp.MustCompile(`would send|will send 4 requests`).MatchString(out.String()) {
		t.Errorf("the rerun answered %d lines in all, printed:\n%s\nwant 28 (4 more)", fake.lines, out.String())
	}
	// Cancel: nothing open, nothing cancelled.
	if err := app.RunCommand(ctx, env, []string{"judge", "--batch-cancel"}); err != nil || fake.cancels != 0 {
		t.Errorf("judge --batch-cancel = %v with %d cancels; want none to cancel", err, fake.cancels)
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
	if !fake.authSeen["Bearer "+judgeTestKey] {
		t.Error("the key was not sent to the provider")
	}
}

// TestBatchWindowResume starts a batch run from the window, closes the app
// while the provider works, and opens it again: the recorded batches are
// picked up and their verdicts stored.
func TestBatchWindowResume(t *testing.T) {
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
	var mu sync.Mutex
	events := 0
	app.SetEmit(a, func(name string, data any) {
		if name == app.EventBatchStatus {
			mu.Lock()
			events++
			mu.Unlock()
		}
	})
	req := app.JudgeRequest{BaseURL: srv.URL + "/v1", Model: "fake-4", APIKeyEnv: "MY_BATCH_KEY"}
	plan, err := a.BatchStart(req, app.BatchOptions{Discount: 0.5, MaxRequests: 10})
	if err != nil || plan.Parts != 3 {
		t.Fatalf("BatchStart = %+v, %v; want 3 parts", plan, err)
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
	vs, _ := st.Verdicts(context.Background(), "fake-4")
	if w.Error != "" || stored != 24 || len(vs) != 12 || fake.lines != 24 {
		t.Errorf("after the restart: error %q, %d lines stored, %d verdicts, %d answered; want 24, 12, 24", w.Error, stored, len(vs), fake.lines)
	}
	mu.Lock()
	defer mu.Unlock()
	if events == 0 {
		t.Error("no batch:status event")
	}
}

// waitFor polls cond for up to 10 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for i := 0; i < 1000; i++ {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}
