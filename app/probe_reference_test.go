package app_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"concord/judge"
	"concord/judge/audit"
	"concord/store"
)

// referenceFixture stores n math questions with references, a short right
// answer and a longer wrong one to each, and one human vote for the right
// answer on each unit.
func referenceFixture(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "model_answer"), 0o755)
	var qs, right, wrong, votes strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&qs, `{"question_id": %d, "category": "math", "turns": ["What is %d times 3?"], "reference": ["%d x 3 = %d"]}`+"\n", i, i, i, 3*i)
		fmt.Fprintf(&right, `{"question_id": %d, "model_id": "right", "choices": [{"index": 0, "turns": ["%d"]}]}`+"\n", i, 3*i)
		fmt.Fprintf(&wrong, `{"question_id": %d, "model_id": "wrong", "choices": [{"index": 0, "turns": ["Multiplying step by step, the product is %d"]}]}`+"\n", i, 3*i+1)
		fmt.Fprintf(&votes, `{"question_id": %d, "model_a": "right", "model_b": "wrong", "winner": "model_a", "judge": "h1", "turn": 1}`+"\n", i)
	}
	os.WriteFile(filepath.Join(dir, "question.jsonl"), []byte(qs.String()), 0o644)
	os.WriteFile(filepath.Join(dir, "model_answer", "right.jsonl"), []byte(right.String()), 0o644)
	os.WriteFile(filepath.Join(dir, "model_answer", "wrong.jsonl"), []byte(wrong.String()), 0o644)
	os.WriteFile(filepath.Join(dir, "human_judgments.jsonl"), []byte(votes.String()), 0o644)
	db := filepath.Join(t.TempDir(), "x.db")
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Import(t.Context(), []string{dir}, store.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	return db
}

// refReadingJudge picks the answer whose final number matches the reference
// when the prompt shows one, and otherwise the longer answer.
func refReadingJudge(t *testing.T, calls *atomic.Int64) *httptest.Server {
	between := func(s, from, to string) string {
		_, rest, _ := strings.Cut(s, from)
		out, _, _ := strings.Cut(rest, to)
		return out
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		var req struct{ Messages []struct{ Content string } }
		json.NewDecoder(r.Body).Decode(&req)
		user := req.Messages[len(req.Messages)-1].Content
		a := between(user, "=== Answer of assistant A ===\n", "\n=== End of A ===")
		b := between(user, "=== Answer of assistant B ===\n", "\n=== End of B ===")
		text := "[[C]]"
		switch ref := between(user, "=== Reference solution ===\n", "\n=== End of reference ==="); {
		case ref != "" && judge.ShownWrong(ref, a, b) == 1, ref == "" && len(b) > len(a):
			text = "[[B]]"
		case ref != "" && judge.ShownWrong(ref, a, b) == 2, ref == "" && len(a) > len(b):
			text = "[[A]]"
		}
		out, _ := json.Marshal(map[string]any{"choices": []any{map[string]any{"message": map[string]any{"role": "assistant", "content": text}}},
			"usage": map[string]any{"prompt_tokens": 10, "completion_tokens": 3}})
		w.Header().Set("Content-Type", "application/json")
		w.Write(out)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestProbeReference runs the reference probe against a judge that follows
// the reference when shown one and the longer (wrong) answer otherwise: it
// fails on no item with the reference and on every item without, agrees with
// every human vote with it and none without; the report shows both runs.
func TestProbeReference(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	const n = 8
	db := referenceFixture(t, n)
	var calls atomic.Int64
	srv := refReadingJudge(t, &calls)
	args := []string{"--db", db, "probe", "reference", "--name", "j", "--base-url", srv.URL + "/v1", "--model", "fake", "--json"}
	code, out, errOut := cliRun(t, "", args...)
	if code != 0 {
		t.Fatalf("probe reference: exit %d: %s", code, errOut)
	}
	var e audit.Experiment
	if err := json.Unmarshal([]byte(out), &e); err != nil {
		t.Fatalf("probe --json: %v: %s", err, out)
	}
	w, o, h := e.FailuresWithReference, e.FailuresWithoutReference, e.HumanAgreement
	if e.Items != n || e.Judged != n || w == nil || o == nil || w.Count != 0 || o.Count != n {
		t.Fatalf("probe reference = %+v, failures %+v / %+v; want %d items, 0 failures with the reference, %d without", e, w, o, n, n)
	}
	if h == nil || h.Sides[0].Judge != audit.WithReference || h.Sides[0].WithTies.Agree != n || h.Sides[1].WithTies.Agree != 0 || h.Sides[1].WithTies.N != n {
		t.Errorf("human agreement %+v; want %d of %d with the reference, none without", h, n, n)
	}
	if got := calls.Load(); got != 4*n {
		t.Errorf("%d requests, want 4 per item (two orders, two prompts)", got)
	}
	if code, _, _ := cliRun(t, "", args...); code != 0 || calls.Load() != 4*n {
		t.Errorf("second run: exit %d, %d requests; want it to resume with nothing to send", code, calls.Load())
	}
	_, md, _ := cliRun(t, "", "--db", db, "report", "--judge", "j@reference-1", "--bootstrap", "0", "--format", "markdown")
	for _, want := range []string{"failures with the reference 0.0% (0/8)", "without 100.0% (8/8)", "| with reference | 0.0% (0/8)", "| without reference | 100.0% (8/8)"} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
	// --truth humans takes the human majority as the truth: the same items here.
	code, out, errOut = cliRun(t, "", "--db", db, "probe", "reference", "--name", "j", "--base-url", srv.URL+"/v1", "--model", "fake", "--truth", "humans", "--json")
	if code != 0 || json.Unmarshal([]byte(out), &e) != nil || e.Items != n || e.FailuresWithoutReference.Count != n {
		t.Errorf("probe reference --truth humans: exit %d (%s), %+v; want the same %d items failing without the reference", code, errOut, e, n)
	}
}

// TestProbeReferenceNeedsAReferencePrompt refuses a prompt set without a
// reference-guided prompt, naming the problem.
func TestProbeReferenceNeedsAReferencePrompt(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	db := referenceFixture(t, 2)
	var calls atomic.Int64
	srv := refReadingJudge(t, &calls)
	code, _, errOut := cliRun(t, "", "--db", db, "probe", "reference", "--base-url", srv.URL+"/v1", "--model", "fake", "--prompt", "concord-pair-v1")
	if code == 0 || !strings.Contains(errOut, "reference-guided prompt") || calls.Load() != 0 {
		t.Errorf("probe reference --prompt concord-pair-v1: exit %d, %d requests, %q; want a refusal naming the reference-guided prompt", code, calls.Load(), errOut)
	}
}
