package judge_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"concord/judge"
	"concord/store"
)

func TestSingleCustomIDRoundTrip(t *testing.T) {
	for _, model := range []string{"gpt-4", "a|b", "50%", "%7C", "x|%|y"} {
		for _, turn := range []int{1, 2} {
			id := judge.SingleCustomID(81, model, turn)
			if strings.Count(id, "|") != 3 {
				t.Errorf("SingleCustomID(81, %q, %d) = %q: want exactly 3 separators", model, turn, id)
			}
			q, m, tn, err := judge.ParseSingleCustomID(id)
			if err != nil || q != 81 || m != model || tn != turn {
				t.Errorf("ParseSingleCustomID(%q) = %d, %q, %d, %v; want 81, %q, %d", id, q, m, tn, err, model, turn)
			}
		}
	}
	if id := judge.SingleCustomID(81, "gpt-4", 1); id != "q81|gpt-4|t1|s" {
		t.Errorf("SingleCustomID = %q, want q81|gpt-4|t1|s", id)
	}
	for _, id := range []string{"", "q81|gpt-4|t1", "q81|gpt-4|t1|g1", "qx|gpt-4|t1|s", "q81|gpt-4|t0|s", "q81||t1|s",
		"q81|a%zz|t1|s", "q81|a|b|t1|g1"} {
		if q, m, tn, err := judge.ParseSingleCustomID(id); err == nil {
			t.Errorf("ParseSingleCustomID(%q) = %d, %q, %d, nil; want an error", id, q, m, tn)
		}
	}
}

// ratingReplies are the judge's answers for the single-answer path
// comparison: ratings, a reply without one, conflicting ones, one out of
// range, and one that echoes the key.
func ratingReplies(user string, _ int) reply {
	switch class(user) % 5 {
	case 0:
		return reply{text: "Echo: $AUTH. Rating: [[7]]"}
	case 1:
		return reply{text: "A fair answer, I would say eight."}
	case 2:
		return reply{text: "Rating: [[3]] or maybe [[9]]"}
	case 3:
		return reply{text: "Rating: [[11]]"}
	}
	return reply{text: "Clear and correct. Rating: [[8.5]]"}
}

// singleRig is batchRig for single-answer runs.
type singleRig struct {
	*batchRig
	single []judge.SingleTask
}

func newSingleRig(t *testing.T, questions int) *singleRig {
	r := &singleRig{batchRig: newBatchRig(t, questions, ratingReplies)}
	r.single = singleTasks(t, r.st, judge.Selection{})
	return r
}

func (r *singleRig) batcher() *judge.Batcher {
	b := r.batchRig.batcher()
	ctx := context.Background()
	qs, _ := r.st.Questions(ctx)
	as, _ := r.st.Answers(ctx)
	res := judge.SingleResolver(r.cfg, testKey, judge.Material{Questions: qs, Answers: as}, judge.ConcordSingleSet)
	b.Open = func(store.BatchRecord) (judge.Resolver, error) { return res, nil }
	return b
}

func (r *singleRig) submit(b *judge.Batcher) []int64 {
	r.t.Helper()
	ctx := context.Background()
	id, err := r.st.EnsureJudge(ctx, judge.Spec(r.cfg, judge.ConcordSingleSet))
	if err != nil {
		r.t.Fatal(err)
	}
	ids, err := b.Submit(ctx, store.BatchRecord{JudgeID: id, Kind: "single", RunJSON: "{}", BaseURL: r.cfg.BaseURL},
		judge.SingleBatchTasks(r.cfg, testKey, r.single))
	if err != nil {
		r.t.Fatalf("Submit: %v", err)
	}
	return ids
}

// storedRatings returns the judge's stored ratings by their custom_id,
// without what differs between two stores (id, time) or runs (latency).
func storedRatings(tb testing.TB, st *store.Store, name string) map[string]store.Rating {
	tb.Helper()
	rs, err := st.Ratings(context.Background(), name)
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string]store.Rating{}
	for _, r := range rs {
		r.ID, r.CreatedAt, r.LatencyMS = 0, time.Time{}, 0
		out[judge.SingleCustomID(r.QuestionID, r.Model, r.Turn)] = r
	}
	return out
}

// TestSingleBatchStoresAsLive runs the same replies through a live
// single-answer run and a batch run and compares every stored rating.
func TestSingleBatchStoresAsLive(t *testing.T) {
	ctx := context.Background()
	live := newSingleRig(t, 4)
	r := newRunner(live.srv, live.st, live.logs)
	r.Config.Model, r.Config.MaxTokens = live.cfg.Model, live.cfg.MaxTokens
	r.Set = judge.ConcordSingleSet
	if _, err := r.RunSingle(ctx, live.single); err != nil {
		t.Fatal(err)
	}
	bat := newSingleRig(t, 4)
	b := bat.batcher()
	bat.submit(b)
	if err := b.Run(ctx); err != nil {
		t.Fatalf("batch Run: %v", err)
	}
	want, got := storedRatings(t, live.st, "fake-judge"), storedRatings(t, bat.st, "fake-judge")
	if len(want) != len(live.single) || len(got) != len(want) {
		t.Fatalf("stored %d ratings live, %d by batch; want %d each", len(want), len(got), len(live.single))
	}
	kinds := map[string]int{}
	for id, w := range want {
		g, ok := got[id]
		if !ok || g != w {
			t.Errorf("rating %s: batch stored %+v, live %+v", id, g, w)
		}
		kinds[fmt.Sprint(w.Score)+w.Error]++
		if strings.Contains(g.Judgment, testKey) || strings.Contains(g.Error, testKey) {
			t.Errorf("rating %s: the key reached the store: %+v", id, g)
		}
	}
	if len(kinds) < 4 {
		t.Errorf("the fixture exercises only %v", kinds)
	}
	recs, _ := bat.st.Batches(ctx, false)
	if len(recs) != 1 || !recs[0].Ingested || recs[0].Kind != "single" || recs[0].Stored != len(bat.single) {
		t.Errorf("batches = %+v, want one single, ingested, %d lines stored", recs, len(bat.single))
	}
}

// TestSingleBatchRestart kills a single-answer batch run between create and
// completion and during download; a new Batcher stores every rating once.
func TestSingleBatchRestart(t *testing.T) {
	stages := []struct {
		name string
		kill func(rig *singleRig, cancel context.CancelFunc) judge.BatchStore
	}{
		{"between create and completion", func(rig *singleRig, cancel context.CancelFunc) judge.BatchStore {
			rig.fb.hook = func(m, p string) {
				if m == "GET" && strings.HasPrefix(p, "/v1/batches/") && rig.fb.count("GET /v1/batches/{id}") == 2 {
					cancel()
				}
			}
			return rig.st
		}},
		{"during download", func(rig *singleRig, cancel context.CancelFunc) judge.BatchStore {
			return &cancellingStore{Store: rig.st, chunks: 2, cancel: cancel}
		}},
	}
	for _, s := range stages {
		t.Run(s.name, func(t *testing.T) {
			ctx := context.Background()
			rig := newSingleRig(t, 3)
			b := rig.batcher()
			b.ChunkLines = 4
			ids := rig.submit(b)
			cctx, cancel := context.WithCancel(ctx)
			b.Store = s.kill(rig, cancel)
			if err := b.Run(cctx); err == nil {
				t.Fatal("the first Run finished; the kill came too late")
			}
			rig.fb.with(func() { rig.fb.hook, rig.fb.drop = nil, nil })
			if err := rig.batcher().Run(ctx); err != nil {
				t.Fatalf("Run after restart: %v", err)
			}
			if n := rig.fb.count("POST /v1/batches"); n != len(ids) {
				t.Errorf("%d provider batches created, want %d", n, len(ids))
			}
			if strings.Contains(s.name, "download") && !strings.Contains(rig.logs.String(), "duplicates") {
				t.Errorf("the restart did not read the output file again; log:\n%s", rig.logs.String())
			}
			if rs := storedRatings(t, rig.st, "fake-judge"); len(rs) != len(rig.single) {
				t.Errorf("%d ratings stored, want %d", len(rs), len(rig.single))
			}
			if n := rig.srv.requests(); n != len(rig.single) {
				t.Errorf("the provider ran %d requests, want %d (once each)", n, len(rig.single))
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

func ExampleSingleCustomID() {
	id := judge.SingleCustomID(81, "a|b", 2)
	q, model, turn, _ := judge.ParseSingleCustomID(id)
	fmt.Println(id, q, model, turn)
	// Output: q81|a%7Cb|t2|s 81 a|b 2
}
