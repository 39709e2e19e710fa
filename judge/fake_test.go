package judge_test

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"concord/judge"
	"concord/store"
	"concord/store/storetest"
)

// testKey is the API key the tests use; it must never reach the database or logs.
const testKey = "sk-concord-test-7f3a9c1e5b2d4f60"

// reply is what the fake server does with one request.
type reply struct {
	status     int           // 0: 200
	retryAfter string        // Retry-After header
	delay      time.Duration // before answering
	body       string        // raw body (overrides text)
	text       string        // assistant message content
}

// fakeServer is an OpenAI-compatible chat completions endpoint whose replies
// a test chooses per request, from the user message and how often it was seen.
type fakeServer struct {
	*httptest.Server
	mu     sync.Mutex
	seen   map[string][]time.Time // user message -> arrival times
	total  int
	decide func(user string, attempt int) reply
	batch  *fakeBatches // files and batches, when enabled (fakebatch_test.go)
}

func newFakeServer(tb testing.TB, decide func(user string, attempt int) reply) *fakeServer {
	f := &fakeServer{seen: map[string][]time.Time{}, decide: decide}
	f.Server = httptest.NewServer(http.HandlerFunc(f.handle))
	tb.Cleanup(f.Close)
	return f
}

func (f *fakeServer) handle(w http.ResponseWriter, r *http.Request) {
	if f.serveBatch(w, r) {
		return
	}
	if r.URL.Path != "/v1/chat/completions" {
		http.NotFound(w, r)
		return
	}
	var req struct {
		Messages []struct{ Role, Content string }
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.Messages) != 2 {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	user := req.Messages[1].Content
	f.mu.Lock()
	attempt := len(f.seen[user])
	f.seen[user] = append(f.seen[user], time.Now())
	f.total++
	f.mu.Unlock()
	rep := f.decide(user, attempt)
	// Echo the caller's credentials back, as a careless server might.
	rep.text = strings.ReplaceAll(rep.text, "$AUTH", r.Header.Get("Authorization"))
	rep.body = strings.ReplaceAll(rep.body, "$AUTH", r.Header.Get("Authorization"))
	if rep.delay > 0 {
		select {
		case <-time.After(rep.delay):
		case <-r.Context().Done():
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	if rep.retryAfter != "" {
		w.Header().Set("Retry-After", rep.retryAfter)
	}
	if rep.status != 0 {
		w.WriteHeader(rep.status)
	}
	if rep.body != "" {
		fmt.Fprint(w, rep.body)
		return
	}
	b, _ := json.Marshal(map[string]any{
		"id": "cmpl-1", "object": "chat.completion", "model": "fake",
		"choices": []any{map[string]any{"index": 0, "finish_reason": "stop",
			"message": map[string]any{"role": "assistant", "content": rep.text}}},
		"usage": map[string]any{"prompt_tokens": len(user) / 4, "completion_tokens": len(rep.text) / 4, "total_tokens": 0},
	})
	w.Write(b)
}

func (f *fakeServer) attempts(user string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.seen[user])
}

func (f *fakeServer) requests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.total
}

// writeFixture writes questions (half "writing", half "math" with a reference)
// and answers of the given models in FastChat's layout, and imports them.
func writeFixture(tb testing.TB, st *store.Store, questions int, models []string) {
	tb.Helper()
	dir := tb.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "model_answer"), 0o755); err != nil {
		tb.Fatal(err)
	}
	var qs strings.Builder
	for i := 1; i <= questions; i++ {
		q := map[string]any{"question_id": i, "category": "writing",
			"turns": []string{fmt.Sprintf("Question %d, first turn?", i), fmt.Sprintf("Question %d, second turn?", i)}}
		if i%2 == 0 {
			q["category"] = "math"
			q["reference"] = []string{fmt.Sprintf("ref %d.1", i), fmt.Sprintf("ref %d.2", i)}
		}
		b, _ := json.Marshal(q)
		qs.Write(append(b, '\n'))
	}
	if err := os.WriteFile(filepath.Join(dir, "question.jsonl"), []byte(qs.String()), 0o644); err != nil {
		tb.Fatal(err)
	}
	for _, m := range models {
		var as strings.Builder
		for i := 1; i <= questions; i++ {
			b, _ := json.Marshal(map[string]any{"question_id": i, "model_id": m, "choices": []any{map[string]any{"index": 0,
				"turns": []string{fmt.Sprintf("%s answers %d.1", m, i), fmt.Sprintf("%s answers %d.2", m, i)}}}})
			as.Write(append(b, '\n'))
		}
		if err := os.WriteFile(filepath.Join(dir, "model_answer", m+".jsonl"), []byte(as.String()), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	if _, err := st.Import(context.Background(), []string{dir}, store.ImportOptions{}); err != nil {
		tb.Fatalf("import fixture: %v", err)
	}
}

func mustOpen(tb testing.TB) (*store.Store, string) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "x.db")
	st := storetest.MustOpenAt(tb, path)
	return st, path
}

// tasksFor builds every task of the fixture for a judge configuration.
func tasksFor(tb testing.TB, st *store.Store, sel judge.Selection) []judge.Task {
	tb.Helper()
	ctx := context.Background()
	qs, err := st.Questions(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	as, err := st.Answers(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	tasks, skipped, err := judge.BuildTasks(judge.Material{Questions: qs, Answers: as}, sel, judge.ConcordSet)
	if err != nil {
		tb.Fatal(err)
	}
	if len(skipped) > 0 {
		tb.Fatalf("BuildTasks skipped %v", skipped)
	}
	return tasks
}

// bias programs a fake judge's preferences, seeded so that a test is
// deterministic: for each request, drawn from the request's own seeded
// stream, the judge prefers the answer shown first with probability First,
// otherwise the answer labelled A (when one is) with probability LabelA,
// otherwise the longer answer with probability Longer, otherwise calls a tie;
// it answers with the prompt's own labels ([[Kestrel]] once renamed).
// Unless ReadsReferences, it reads nothing but the two answers: a reference in
// the prompt changes nothing but the draw (the judge "ignores references").
// With ReadsReferences, a request that shows a reference solution whose final
// number matches exactly one answer's (judge.ShownWrong) picks that answer,
// before any other bias.
type bias struct {
	Seed            uint64
	First, Longer   float64
	LabelA          float64 // after First: prefers the answer labelled A, wherever shown
	ReadsReferences bool
}

// between returns the text between two markers of s.
func between(s, from, to string) string {
	_, rest, _ := strings.Cut(s, from)
	out, _, _ := strings.Cut(rest, to)
	return out
}

// decide answers one request of the Concord single-turn prompt.
func (b bias) decide(user string, _ int) reply {
	h := fnv.New64a()
	h.Write([]byte(user))
	rng := rand.New(rand.NewPCG(b.Seed, h.Sum64()))
	// The two answers and their labels (A and B, or names RenameLabels gave).
	ms := answerBlock.FindAllStringSubmatch(user, 2)
	if len(ms) != 2 {
		return reply{text: "no answers found"}
	}
	l1, a, l2, bb := ms[0][1], ms[0][2], ms[1][1], ms[1][2]
	first, second := "[["+l1+"]]", "[["+l2+"]]"
	u := rng.Float64()
	if ref := between(user, "=== Reference solution ===\n", "\n=== End of reference ==="); b.ReadsReferences && ref != "" {
		switch judge.ShownWrong(ref, a, bb) {
		case 1:
			return reply{text: "Only the second matches the reference.\n" + second}
		case 2:
			return reply{text: "Only the first matches the reference.\n" + first}
		}
	}
	if u >= b.First && b.LabelA > 0 && rng.Float64() < b.LabelA {
		switch "A" {
		case l1:
			return reply{text: "A it is.\n" + first}
		case l2:
			return reply{text: "A it is.\n" + second}
		}
	}
	switch {
	case u < b.First:
		return reply{text: "The first one reads best.\n" + first}
	case u < b.First+(1-b.First)*b.Longer && len(a) != len(bb):
		if len(a) > len(bb) {
			return reply{text: "The first says more.\n" + first}
		}
		return reply{text: "The second says more.\n" + second}
	}
	return reply{text: "About the same.\n[[C]]"}
}

// answerBlock matches one answer of Concord's single-turn template: its label
// and its text.
var answerBlock = regexp.MustCompile(`=== Answer of assistant (\w+) ===\n((?s:.*?))\n=== End of \w+ ===`)
