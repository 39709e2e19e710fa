package judge_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"concord/judge"
	"concord/store"
)

func TestPairCustomIDRoundTrip(t *testing.T) {
	names := [][2]string{
		{"claude-v1", "gpt-4"},
		{"a|b", "a"},
		{"100%", "100%7C"},
		{"x%25|y", "x|%|y"},
		{"modèle ünïcode", "名前"},
		{"with space", "|"},
		{"%", "%%"},
	}
	for _, n := range names {
		m1, m2 := min(n[0], n[1]), max(n[0], n[1])
		for game := 1; game <= 2; game++ {
			u := judge.Unit{QuestionID: 81, Model1: m1, Model2: m2, Turn: 2}
			id := judge.PairCustomID(u, game)
			if strings.Count(id, "|") != 4 {
				t.Errorf("PairCustomID(%q, %q, g%d) = %q: want exactly 4 separators", m1, m2, game, id)
			}
			got, g, err := judge.ParsePairCustomID(id)
			if err != nil || got != u || g != game {
				t.Errorf("ParsePairCustomID(%q) = %+v, %d, %v; want %+v, %d", id, got, g, err, u, game)
			}
		}
	}
	if id := judge.PairCustomID(judge.Unit{QuestionID: 81, Model1: "claude-v1", Model2: "gpt-4", Turn: 1}, 2); id != "q81|gpt-4|claude-v1|t1|g2" {
		t.Errorf("PairCustomID = %q, want q81|gpt-4|claude-v1|t1|g2 (the model shown first comes first)", id)
	}
	bad := []string{"", "q81|a|b|t1", "q81|a|b|t1|g3", "qx|a|b|t1|g1", "q1|a|a|t1|g1", "q1|b|a|t1|g1", "q1|a|b|t1|g2",
		"q1|a%zz|b|t1|g1", "q1|a|b|t0|g1", "x1|a|b|t1|g1"}
	for _, id := range bad {
		if u, g, err := judge.ParsePairCustomID(id); err == nil {
			t.Errorf("ParsePairCustomID(%q) = %+v, %d, nil; want an error", id, u, g)
		}
	}
}

func batchCfg(url string) judge.Config {
	return judge.Config{Model: "fake-judge", BaseURL: url + "/v1", MaxTokens: 512}
}

func TestSplitBatch(t *testing.T) {
	st, _ := mustOpen(t)
	writeFixture(t, st, 5, fixtureModels)
	tasks := judge.PairBatchTasks(batchCfg("http://x"), testKey, tasksFor(t, st, judge.Selection{}))
	sizes := make([]int, len(tasks))
	for i, tk := range tasks {
		line, err := judge.BatchLine(tk)
		if err != nil {
			t.Fatal(err)
		}
		sizes[i] = len(line) + 1
	}
	maxLine := 0
	for _, n := range sizes {
		maxLine = max(maxLine, n)
	}
	for _, lim := range []judge.BatchLimits{{MaxRequests: 7}, {MaxBytes: maxLine * 3}, {MaxRequests: 5, MaxBytes: maxLine * 4}, {}} {
		parts, err := judge.SplitBatch(tasks, lim)
		if err != nil {
			t.Fatalf("SplitBatch(%+v): %v", lim, err)
		}
		i := 0
		for _, p := range parts {
			bytes := 0
			for _, id := range p {
				if id != tasks[i].CustomID() {
					t.Fatalf("SplitBatch(%+v): line %d is %s, want %s (order kept)", lim, i, id, tasks[i].CustomID())
				}
				bytes += sizes[i]
				i++
			}
			if (lim.MaxRequests > 0 && len(p) > lim.MaxRequests) || (lim.MaxBytes > 0 && bytes > lim.MaxBytes) {
				t.Errorf("SplitBatch(%+v): a part of %d lines, %d bytes", lim, len(p), bytes)
			}
		}
		if i != len(tasks) {
			t.Errorf("SplitBatch(%+v) kept %d of %d tasks", lim, i, len(tasks))
		}
		if lim == (judge.BatchLimits{}) && len(parts) != 1 {
			t.Errorf("SplitBatch with default limits = %d parts, want 1", len(parts))
		}
	}
	if _, err := judge.SplitBatch(tasks, judge.BatchLimits{MaxBytes: 100}); err == nil || !strings.Contains(err.Error(), tasks[0].CustomID()) {
		t.Errorf("SplitBatch with a 100-byte limit = %v, want an error naming %s", err, tasks[0].CustomID())
	}
}

// replies are the judge's answers for the path comparison: verdicts, a reply
// without one, an ambiguous one, and one that echoes the key.
func replies(user string, _ int) reply {
	switch class(user) % 5 {
	case 0:
		return reply{text: "Echo: $AUTH. A wins.\n[[A]]"}
	case 1:
		return reply{text: "Both answers have merit."}
	case 2:
		return reply{text: "Hard to say.\nVerdict: [[A]] or [[B]]"}
	case 3:
		return reply{text: "B is clearer. [[B]]"}
	}
	return reply{text: "[[C]]"}
}

// batchRig is a store, a fake server with batches and a way to make Batchers
// over them, as a process would after each restart.
type batchRig struct {
	t     *testing.T
	st    *store.Store
	srv   *fakeServer
	fb    *fakeBatches
	cfg   judge.Config
	tasks []judge.Task
	logs  *logBuf
}

func newBatchRig(t *testing.T, questions int, decide func(string, int) reply) *batchRig {
	st, _ := mustOpen(t)
	writeFixture(t, st, questions, fixtureModels)
	srv := newFakeServer(t, decide)
	r := &batchRig{t: t, st: st, srv: srv, fb: srv.enableBatches(), cfg: batchCfg(srv.URL), logs: &logBuf{}}
	r.tasks = tasksFor(t, st, judge.Selection{})
	return r
}

func (r *batchRig) batcher() *judge.Batcher {
	ctx := context.Background()
	qs, _ := r.st.Questions(ctx)
	as, _ := r.st.Answers(ctx)
	res := judge.PairResolver(r.cfg, testKey, judge.Material{Questions: qs, Answers: as}, judge.ConcordSet)
	return &judge.Batcher{
		API:    judge.NewBatchAPI(judge.ClientConfig{BaseURL: r.cfg.BaseURL, APIKey: testKey}),
		Store:  r.st,
		APIKey: testKey,
		Open:   func(store.BatchRecord) (judge.Resolver, error) { return res, nil },
		Poll:   time.Minute, MaxPoll: 8 * time.Minute,
		Sleep: func(ctx context.Context, d time.Duration) error {
			r.fb.advance(d)
			return ctx.Err()
		},
		Log: r.logs.log,
	}
}

// submit records the pending tasks as batches of the judge.
func (r *batchRig) submit(b *judge.Batcher, tasks []judge.Task) []int64 {
	r.t.Helper()
	ctx := context.Background()
	id, err := r.st.EnsureJudge(ctx, judge.Spec(r.cfg, judge.ConcordSet))
	if err != nil {
		r.t.Fatal(err)
	}
	ids, err := b.Submit(ctx, store.BatchRecord{JudgeID: id, Kind: "pairwise", RunJSON: "{}", BaseURL: r.cfg.BaseURL},
		judge.PairBatchTasks(r.cfg, testKey, tasks))
	if err != nil {
		r.t.Fatalf("Submit: %v", err)
	}
	return ids
}

// verdicts returns the judge's stored games by key.
func storedGames(tb testing.TB, st *store.Store, name string) map[store.GameKey]store.Game {
	tb.Helper()
	vs, err := st.Verdicts(context.Background(), name)
	if err != nil {
		tb.Fatal(err)
	}
	out := map[store.GameKey]store.Game{}
	for _, v := range vs {
		k := store.GameKey{Prompt: v.Prompt, PromptHash: v.PromptHash, QuestionID: v.QuestionID, Model1: v.Model1, Model2: v.Model2, Turn: v.Turn}
		for i, g := range []*store.Game{v.G1, v.G2} {
			if g != nil {
				k.Game = i + 1
				out[k] = *g
			}
		}
	}
	return out
}

// TestBatchStoresAsLive runs the same replies through a live run and a
// batch run and compares every stored game (latency aside, which a batch
// does not have).
func TestBatchStoresAsLive(t *testing.T) {
	ctx := context.Background()
	live := newBatchRig(t, 4, replies)
	r := newRunner(live.srv, live.st, live.logs)
	r.Config.Model, r.Config.MaxTokens = live.cfg.Model, live.cfg.MaxTokens
	if _, err := r.Run(ctx, live.tasks); err != nil {
		t.Fatal(err)
	}
	bat := newBatchRig(t, 4, replies)
	b := bat.batcher()
	bat.submit(b, bat.tasks)
	if err := b.Run(ctx); err != nil {
		t.Fatalf("batch Run: %v", err)
	}
	want, got := storedGames(t, live.st, "fake-judge"), storedGames(t, bat.st, "fake-judge")
	if len(want) != len(live.tasks) || len(got) != len(want) {
		t.Fatalf("stored %d games live, %d by batch; want %d each", len(want), len(got), len(live.tasks))
	}
	kinds := map[string]int{}
	for k, w := range want {
		g := got[k]
		w.LatencyMS = 0
		if g != w {
			t.Errorf("game %+v: batch stored %+v, live %+v", k, g, w)
		}
		kinds[w.Winner+w.Error]++
		if strings.Contains(g.Judgment, testKey) {
			t.Errorf("game %+v: the key reached the judgment %q", k, g.Judgment)
		}
	}
	if len(kinds) < 4 {
		t.Errorf("the fixture exercises only %v", kinds)
	}
	recs, _ := bat.st.Batches(ctx, false)
	if len(recs) != 1 || !recs[0].Ingested || recs[0].Status != "completed" || recs[0].Stored != len(bat.tasks) {
		t.Errorf("batches = %+v, want one completed, ingested, %d lines stored", recs, len(bat.tasks))
	}
	if strings.Contains(bat.logs.String(), testKey) {
		t.Error("the key reached the log")
	}
}

func TestBatchPartialFailuresAndRerun(t *testing.T) {
	ctx := context.Background()
	for _, mode := range []string{"lines fail", "expired", "batch fails", "cancelled"} {
		t.Run(mode, func(t *testing.T) {
			rig := newBatchRig(t, 3, replies)
			failing := map[string]bool{}
			for i, tk := range rig.tasks {
				if i%4 == 1 {
					failing[judge.PairCustomID(tk.Unit, tk.Game)] = true
				}
			}
			switch mode {
			case "lines fail":
				rig.fb.with(func() { rig.fb.failLine = func(id string) bool { return failing[id] } })
			case "expired":
				rig.fb.with(func() { rig.fb.expire = true })
			case "batch fails":
				rig.fb.with(func() { rig.fb.failBatch = true })
			}
			b := rig.batcher()
			b.Limits = judge.BatchLimits{MaxRequests: 20}
			ids := rig.submit(b, rig.tasks)
			if len(ids) != (len(rig.tasks)+19)/20 {
				t.Fatalf("Submit made %d parts of %d tasks, want %d", len(ids), len(rig.tasks), (len(rig.tasks)+19)/20)
			}
			if mode == "cancelled" {
				// Send, then cancel while the provider works on it.
				cctx, cancel := context.WithCancel(ctx)
				rig.fb.hook = func(m, p string) {
					if m == "POST" && p == "/v1/batches" && rig.fb.count("POST /v1/batches") == len(ids) {
						cancel()
					}
				}
				if err := b.Run(cctx); !errors.Is(err, context.Canceled) {
					t.Fatalf("Run = %v, want cancelled", err)
				}
				rig.fb.with(func() { rig.fb.hook = nil })
				if err := b.Cancel(ctx); err != nil {
					t.Fatal(err)
				}
			}
			if err := b.Run(ctx); err != nil {
				t.Fatalf("Run: %v", err)
			}
			// Every line is either stored or listed failed, never both.
			var failed []string
			recs, _ := rig.st.Batches(ctx, false)
			stored := 0
			for _, rec := range recs {
				ls, _ := rig.st.BatchLines(ctx, rec.ID, store.LineFailed)
				for _, l := range ls {
					failed = append(failed, l.CustomID)
					if l.Error == "" {
						t.Errorf("failed line %s has no error", l.CustomID)
					}
				}
				stored += rec.Stored
				if !rec.Ingested {
					t.Errorf("batch %d not ingested: %+v", rec.ID, rec)
				}
			}
			games := storedGames(t, rig.st, "fake-judge")
			if stored != len(games) || stored+len(failed) != len(rig.tasks) {
				t.Errorf("%d lines stored (%d games), %d failed; want %d in all", stored, len(games), len(failed), len(rig.tasks))
			}
			switch mode {
			case "lines fail":
				if len(failed) != len(failing) {
					t.Errorf("failed lines = %d, want %d", len(failed), len(failing))
				}
				for _, id := range failed {
					if !failing[id] {
						t.Errorf("line %s failed, the fake failed others", id)
					}
				}
			case "batch fails", "cancelled":
				if len(failed) != len(rig.tasks) {
					t.Errorf("failed lines = %d, want all %d", len(failed), len(rig.tasks))
				}
			case "expired":
				if len(failed) == 0 || len(games) == 0 {
					t.Errorf("expired: %d failed, %d stored; want some of each", len(failed), len(games))
				}
			}
			// The failed lines are pending again: a new batch sends exactly them.
			rig.fb.with(func() { rig.fb.failLine, rig.fb.expire, rig.fb.failBatch = nil, false, false })
			pending, _, err := judge.Pending(ctx, rig.st, rig.cfg, judge.ConcordSet, rig.tasks)
			if err != nil {
				t.Fatal(err)
			}
			retry := map[string]bool{}
			for _, tk := range pending {
				retry[judge.PairCustomID(tk.Unit, tk.Game)] = true
			}
			for _, id := range failed {
				if !retry[id] {
					t.Errorf("failed line %s is not pending", id)
				}
			}
			if len(pending) < len(failed) {
				t.Errorf("pending %d < failed %d", len(pending), len(failed))
			}
			before := rig.srv.requests()
			rig.submit(b, pending)
			if err := b.Run(ctx); err != nil {
				t.Fatal(err)
			}
			if got := rig.srv.requests() - before; got != len(pending) {
				t.Errorf("the new batch sent %d requests, want %d", got, len(pending))
			}
			if games := storedGames(t, rig.st, "fake-judge"); len(games) != len(rig.tasks) {
				t.Errorf("after the rerun %d games stored, want %d", len(games), len(rig.tasks))
			}
		})
	}
}

func TestBatchDuplicatesRefused(t *testing.T) {
	ctx := context.Background()
	rig := newBatchRig(t, 2, replies)
	b := rig.batcher()
	ids := rig.submit(b, rig.tasks)
	// The same games in a second batch while the first is open: refused, nothing recorded.
	jid, _ := rig.st.EnsureJudge(ctx, judge.Spec(rig.cfg, judge.ConcordSet))
	if _, err := b.Submit(ctx, store.BatchRecord{JudgeID: jid, RunJSON: "{}"}, judge.PairBatchTasks(rig.cfg, testKey, rig.tasks[:1])); !errors.Is(err, store.ErrBatchLineTaken) {
		t.Errorf("second Submit = %v, want ErrBatchLineTaken", err)
	}
	if recs, _ := rig.st.Batches(ctx, false); len(recs) != len(ids) {
		t.Errorf("%d batches recorded, want %d", len(recs), len(ids))
	}
	if err := b.Run(ctx); err != nil {
		t.Fatal(err)
	}
	// A repeated result line and a line of another batch write nothing.
	g := storedGames(t, rig.st, "fake-judge")
	k := rig.tasks[0].Key()
	before := g[k]
	id := judge.PairCustomID(rig.tasks[0].Unit, rig.tasks[0].Game)
	rep, err := rig.st.SaveBatchOutcomes(ctx, ids[0], jid, []store.BatchOutcome{
		{CustomID: id, Key: &k, Game: store.Game{Winner: "tie", Judgment: "again"}},
		{CustomID: "q99|x|y|t1|g1", Key: &k, Game: store.Game{Winner: "tie"}},
	})
	if err != nil || rep.Stored != 0 || rep.Duplicates != 1 || rep.Foreign != 1 {
		t.Errorf("SaveBatchOutcomes(repeat, foreign) = %+v, %v; want 1 duplicate, 1 foreign, nothing stored", rep, err)
	}
	if after := storedGames(t, rig.st, "fake-judge")[k]; after != before {
		t.Errorf("game changed from %+v to %+v", before, after)
	}
}

// cancellingStore is a store whose process dies (ctx cancelled) after a
// number of result chunks were committed.
type cancellingStore struct {
	*store.Store
	mu       sync.Mutex
	chunks   int
	cancel   context.CancelFunc
	onUpdate func(store.BatchUpdate) bool // cancel after this update is recorded
}

func (s *cancellingStore) UpdateBatch(ctx context.Context, id int64, u store.BatchUpdate) error {
	err := s.Store.UpdateBatch(ctx, id, u)
	if s.onUpdate != nil && s.onUpdate(u) {
		s.cancel()
	}
	return err
}

func (s *cancellingStore) SaveBatchOutcomes(ctx context.Context, batchID, judgeID int64, outs []store.BatchOutcome) (store.BatchSaveReport, error) {
	rep, err := s.Store.SaveBatchOutcomes(ctx, batchID, judgeID, outs)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.chunks--; s.chunks == 0 {
		s.cancel()
	}
	return rep, err
}

// TestBatchRestart kills the process (cancels the Batcher's context and
// drops it) at each stage; a new Batcher finishes the work, with one provider
// batch per part and every game stored once.
func TestBatchRestart(t *testing.T) {
	stages := []struct {
		name string
		kill func(rig *batchRig, cancel context.CancelFunc) judge.BatchStore
	}{
		{"after recording, before upload", func(rig *batchRig, cancel context.CancelFunc) judge.BatchStore {
			cancel()
			return rig.st
		}},
		{"between upload and recording the file", func(rig *batchRig, cancel context.CancelFunc) judge.BatchStore {
			rig.fb.drop = func(m, p string) bool {
				if m == "POST" && p == "/v1/files" {
					cancel()
					return true
				}
				return false
			}
			return rig.st
		}},
		{"between upload and create", func(rig *batchRig, cancel context.CancelFunc) judge.BatchStore {
			return &cancellingStore{Store: rig.st, cancel: cancel, onUpdate: func(u store.BatchUpdate) bool { return u.FileID != "" }}
		}},
		{"between create and recording its id", func(rig *batchRig, cancel context.CancelFunc) judge.BatchStore {
			rig.fb.drop = func(m, p string) bool {
				if m == "POST" && p == "/v1/batches" {
					cancel()
					return true
				}
				return false
			}
			return rig.st
		}},
		{"between create and completion", func(rig *batchRig, cancel context.CancelFunc) judge.BatchStore {
			rig.fb.hook = func(m, p string) {
				if m == "GET" && strings.HasPrefix(p, "/v1/batches/") && rig.fb.count("GET /v1/batches/{id}") == 2 {
					cancel()
				}
			}
			return rig.st
		}},
		{"during download", func(rig *batchRig, cancel context.CancelFunc) judge.BatchStore {
			return &cancellingStore{Store: rig.st, chunks: 2, cancel: cancel}
		}},
	}
	for _, s := range stages {
		t.Run(s.name, func(t *testing.T) {
			ctx := context.Background()
			rig := newBatchRig(t, 3, replies)
			b := rig.batcher()
			b.ChunkLines = 5
			ids := rig.submit(b, rig.tasks)
			cctx, cancel := context.WithCancel(ctx)
			b.Store = s.kill(rig, cancel)
			if err := b.Run(cctx); err == nil {
				t.Fatal("the first Run finished; the kill came too late")
			}
			rig.fb.with(func() { rig.fb.hook, rig.fb.drop = nil, nil })
			open, _ := rig.st.Batches(ctx, true)
			if len(open) != len(ids) {
				t.Fatalf("after the kill %d open batches recorded, want %d", len(open), len(ids))
			}
			if err := rig.batcher().Run(ctx); err != nil {
				t.Fatalf("Run after restart: %v", err)
			}
			if n := rig.fb.count("POST /v1/batches"); n != len(ids) {
				t.Errorf("%d provider batches created, want %d", n, len(ids))
			}
			if strings.Contains(s.name, "recording its id") && !strings.Contains(rig.logs.String(), "made before a restart") {
				t.Errorf("the batch made before the kill was not found by its nonce; log:\n%s", rig.logs.String())
			}
			if strings.Contains(s.name, "recording the file") != (rig.fb.count("POST /v1/files") == 2) {
				t.Errorf("%d uploads; want 2 only when the file's id was lost", rig.fb.count("POST /v1/files"))
			}
			if strings.Contains(s.name, "during download") && !strings.Contains(rig.logs.String(), "duplicates") {
				t.Errorf("the restart did not read the output file again; log:\n%s", rig.logs.String())
			}
			games := storedGames(t, rig.st, "fake-judge")
			if len(games) != len(rig.tasks) {
				t.Errorf("%d games stored, want %d", len(games), len(rig.tasks))
			}
			if n := rig.srv.requests(); n != len(rig.tasks) {
				t.Errorf("the provider ran %d requests, want %d (once each)", n, len(rig.tasks))
			}
			recs, _ := rig.st.Batches(ctx, false)
			for _, rec := range recs {
				if !rec.Ingested || rec.Stored != rec.Requests || rec.Status != "completed" {
					t.Errorf("batch after restart = %+v", rec)
				}
			}
		})
	}
}

// TestBatchTransientErrors: 5xx answers to the batch calls are retried at
// the next poll, not the end of the run.
func TestBatchTransientErrors(t *testing.T) {
	ctx := context.Background()
	rig := newBatchRig(t, 2, replies)
	b := rig.batcher()
	rig.submit(b, rig.tasks)
	rig.fb.with(func() { rig.fb.failNext = 4 })
	if err := b.Run(ctx); err != nil {
		t.Fatalf("Run with 4 failed calls: %v", err)
	}
	if games := storedGames(t, rig.st, "fake-judge"); len(games) != len(rig.tasks) {
		t.Errorf("%d games stored, want %d", len(games), len(rig.tasks))
	}
	if n := strings.Count(rig.logs.String(), "trying again later"); n != 4 {
		t.Errorf("%d retries logged, want 4; log:\n%s", n, rig.logs.String())
	}
	// A refused key is not transient: the run stops with the reason.
	rig2 := newBatchRig(t, 1, replies)
	b2 := rig2.batcher()
	rig2.submit(b2, rig2.tasks)
	b2.API = judge.NewBatchAPI(judge.ClientConfig{BaseURL: rig2.cfg.BaseURL, APIKey: "sk-wrong-key-123456789"})
	if err := b2.Run(ctx); err == nil || !strings.Contains(err.Error(), "refused the API key") || strings.Contains(err.Error(), "sk-wrong") {
		t.Errorf("Run with a wrong key = %v, want the refusal without the key", err)
	}
}

func ExamplePairCustomID() {
	id := judge.PairCustomID(judge.Unit{QuestionID: 81, Model1: "a|b", Model2: "gpt-4", Turn: 1}, 1)
	u, game, _ := judge.ParsePairCustomID(id)
	fmt.Println(id, u.Model1, game)
	// Output: q81|a%7Cb|gpt-4|t1|g1 a|b 1
}
