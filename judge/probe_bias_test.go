package judge_test

import (
	"context"
	"fmt"
	"testing"

	"concord/judge"
	"concord/judge/audit"
	"concord/store"
)

// TestVerbosityProbeRecoversProgrammedBias runs the verbosity probe's games
// (original vs padded, both orders, through the runner) against fake judges
// with programmed position and length biases, and checks that the probe's
// figures cover the programmed rates within their 95% Wilson intervals:
// with p = P(first) and q = P(longer | not first), game 1 (original first)
// picks the original with probability p and the padded copy with (1-p)q, so
//
//	P(fail) = 1 - (1 - (1-p)q) (1-p)(1-q).
func TestVerbosityProbeRecoversProgrammedBias(t *testing.T) {
	const items = 150
	for _, b := range []bias{{Seed: 1, First: 0, Longer: 0}, {Seed: 2, First: 0.3, Longer: 0}, {Seed: 3, First: 0, Longer: 0.8}, {Seed: 4, First: 0.25, Longer: 0.5}} {
		t.Run(fmt.Sprintf("p=%v,q=%v", b.First, b.Longer), func(t *testing.T) {
			ctx := context.Background()
			st, _ := mustOpen(t)
			writeFixture(t, st, items, []string{"m1"})
			qs, err := st.Questions(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var m judge.Material
			m.Questions = qs
			var sel judge.Selection
			for i := 1; i <= items; i++ {
				orig := fmt.Sprintf("Here is how (%d):\n1. Measure twice.\n2. Cut once.\n   - keep the offcuts\n3. Sand the edges.", i)
				padded, err := judge.OfflineRewriter{}.Rewrite(ctx, orig)
				if err != nil {
					t.Fatal(err)
				}
				m.Answers = append(m.Answers, store.Answer{QuestionID: i, Model: "m1", Turns: []string{orig, "-"}},
					store.Answer{QuestionID: i, Model: "m1~padded", Turns: []string{padded, "-"}})
				sel.Units = append(sel.Units, judge.Unit{QuestionID: i, Model1: "m1", Model2: "m1~padded", Turn: 1})
			}
			tasks, skipped, err := judge.BuildTasks(m, sel, judge.ConcordSet)
			if err != nil || len(skipped) > 0 || len(tasks) != 2*items {
				t.Fatalf("BuildTasks: %d tasks, skipped %v, %v", len(tasks), skipped, err)
			}
			f := newFakeServer(t, b.decide)
			r := &judge.Runner{Config: judge.Config{Name: "biased@verbosity-1", Model: "fake", Concurrency: 4}, Set: judge.ConcordSet, Store: st,
				Client: judge.NewOpenAIClient(judge.ClientConfig{BaseURL: f.URL + "/v1", Model: "fake", APIKey: testKey})}
			if _, err := r.Run(ctx, tasks); err != nil {
				t.Fatal(err)
			}
			vs, err := st.Verdicts(ctx, "biased@verbosity-1")
			if err != nil || len(vs) != items {
				t.Fatalf("%d verdicts, %v", len(vs), err)
			}
			label := func(g *store.Game) audit.Label {
				l, err := audit.ParseLabel(g.Winner)
				if err != nil {
					t.Fatalf("game winner %q: %v", g.Winner, err)
				}
				return l
			}
			var games []audit.ProbeGames
			firstOrig, firstPadded := 0, 0
			for _, v := range vs {
				g := audit.ProbeGames{G1: label(v.G1), G2: label(v.G2)}
				games = append(games, g)
				switch g.G1 {
				case audit.A:
					firstOrig++
				case audit.B:
					firstPadded++
				}
			}
			fail, _, errs, pending := audit.VerbosityProbe(games, 1.96)
			if errs != 0 || pending != 0 || fail.N != items {
				t.Fatalf("VerbosityProbe: %d judged, %d errors, %d pending", fail.N, errs, pending)
			}
			p, q := b.First, b.Longer
			want := 1 - (1-(1-p)*q)*(1-p)*(1-q)
			inside := func(name string, k, n int, want float64) {
				lo, hi := audit.Wilson(k, n, 1.96)
				if n > 0 && (want < lo || want > hi) {
					t.Errorf("%s = %d/%d, Wilson [%.3f, %.3f], does not cover the programmed %.3f", name, k, n, lo, hi, want)
				}
			}
			t.Logf("failures %d/%d (want %.3f), first %d, padded %d", fail.Count, fail.N, want, firstOrig, firstPadded)
			inside("failure rate", fail.Count, fail.N, want)
			inside("first position rate (game 1 picks the original)", firstOrig, items, p)
			inside("longer rate (game 1 picks the padded copy when not the first)", firstPadded, items-firstOrig, q)
		})
	}
}
