package judge_test

import (
	"context"
	"fmt"
	"testing"

	"concord/judge"
	"concord/judge/audit"
	"concord/store"
)

func TestFinalNumber(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"The answer is 12.", 12, true},
		{"3 apples and 4 pears make 7", 7, true},
		{"Total: 1,250 dollars", 1250, true},
		{"x = -3.5", -3.5, true},
		{"The probability is 3/4.", 0.75, true},
		{"so \\boxed{42} (checked with 7 * 6 = 42, step 9)", 42, true},
		{"first \\boxed{1}, then \\boxed{x = 5}; see note 8", 5, true},
		{"no number at all", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, ok := judge.FinalNumber(tt.in)
		if ok != tt.ok || got != tt.want {
			t.Errorf("FinalNumber(%q) = %v, %v, want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestShownWrong(t *testing.T) {
	tests := []struct {
		ref, a, b string
		want      int
	}{
		{"The area is 12.", "It is 12", "It is 13", 2},
		{"The area is 12.", "It is 11", "So 12.0", 1},
		{"The area is 12.", "It is 12", "It is twelve, I think", 2}, // no number: not shown right
		{"The area is 12.", "12", "12", 0},
		{"The area is 12.", "11", "13", 0},
		{"Use a hash map.", "12", "13", 0}, // the reference ends on no number
		{"p = 1/3", "0.3333333", "0.25", 2},
	}
	for _, tt := range tests {
		if got := judge.ShownWrong(tt.ref, tt.a, tt.b); got != tt.want {
			t.Errorf("ShownWrong(%q, %q, %q) = %d, want %d", tt.ref, tt.a, tt.b, got, tt.want)
		}
	}
}

func TestWithoutReference(t *testing.T) {
	noRef, err := judge.WithoutReference(judge.ConcordSet, []int{1, 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, turn := range []int{1, 2} {
		if p := noRef.For("math", turn, true); p == nil || p.NeedsReference() {
			t.Errorf("WithoutReference(concord).For(math, %d, true) = %v, want the plain prompt", turn, p)
		}
	}
	if _, err := judge.WithoutReference(judge.SinglePromptSet(judge.ConcordTurn1), []int{1}); err == nil {
		t.Error("WithoutReference(a set without a reference-guided prompt) succeeded, want an error")
	}
}

// TestReferenceProbeDetectsIgnoredReferences runs the reference probe's games
// (each math unit in both orders, with the reference-guided prompt and with
// the plain one) against fake judges that prefer the longer answer with
// probability q, where the longer answer is the one the reference shows
// wrong. A judge that ignores references fails with probability q^2 (both
// games pick the longer answer) in both runs; one that reads them fails on
// none with the reference and still q^2 without: the probe tells them apart.
func TestReferenceProbeDetectsIgnoredReferences(t *testing.T) {
	const items, q = 120, 0.8
	for _, reads := range []bool{false, true} {
		t.Run(fmt.Sprintf("reads=%v", reads), func(t *testing.T) {
			ctx := context.Background()
			st, _ := mustOpen(t)
			writeFixture(t, st, items, []string{"right", "wrong"}) // games need stored questions and answers; the texts judged are below
			var m judge.Material
			var sel judge.Selection
			m.References = map[int][]string{}
			for i := 1; i <= items; i++ {
				m.Questions = append(m.Questions, store.Question{ID: i, Category: "math", Turns: []string{fmt.Sprintf("What is %d + 5?", i)}})
				m.References[i] = []string{fmt.Sprintf("%d + 5 = %d", i, i+5)}
				m.Answers = append(m.Answers,
					store.Answer{QuestionID: i, Model: "right", Turns: []string{fmt.Sprintf("%d", i+5)}},
					store.Answer{QuestionID: i, Model: "wrong", Turns: []string{fmt.Sprintf("Adding carefully, carrying the one, the sum is %d", i+6)}})
				sel.Units = append(sel.Units, judge.Unit{QuestionID: i, Model1: "right", Model2: "wrong", Turn: 1})
			}
			noRef, err := judge.WithoutReference(judge.ConcordSet, []int{1})
			if err != nil {
				t.Fatal(err)
			}
			var tasks []judge.Task
			for _, set := range []judge.PromptSet{judge.ConcordSet, noRef} {
				ts, skipped, err := judge.BuildTasks(m, sel, set)
				if err != nil || len(skipped) > 0 || len(ts) != 2*items {
					t.Fatalf("BuildTasks(%s): %d tasks, skipped %v, %v", set.Name, len(ts), skipped, err)
				}
				tasks = append(tasks, ts...)
			}
			b := bias{Seed: 7, Longer: q, ReadsReferences: reads}
			f := newFakeServer(t, b.decide)
			r := &judge.Runner{Config: judge.Config{Name: "j@reference-1", Model: "fake", Concurrency: 4}, Set: judge.ConcordSet, Store: st,
				Client: judge.NewOpenAIClient(judge.ClientConfig{BaseURL: f.URL + "/v1", Model: "fake", APIKey: testKey})}
			if _, err := r.Run(ctx, tasks); err != nil {
				t.Fatal(err)
			}
			vs, err := st.Verdicts(ctx, "j@reference-1")
			if err != nil || len(vs) != 2*items {
				t.Fatalf("%d verdicts, %v; want %d (two runs)", len(vs), err, 2*items)
			}
			byQ := map[int]*audit.RefItem{}
			for _, v := range vs {
				it := byQ[v.QuestionID]
				if it == nil {
					it = &audit.RefItem{Wrong: audit.B} // "wrong" sorts after "right": B
					byQ[v.QuestionID] = it
				}
				g := audit.ProbeGames{G1: label(t, v.G1), G2: label(t, v.G2)}
				if v.Prompt == judge.ConcordRefTurn1.Name {
					it.With = g
				} else {
					it.Without = g
				}
			}
			var refItems []audit.RefItem
			for _, it := range byQ {
				refItems = append(refItems, *it)
			}
			with, without, errs, pending := audit.ReferenceProbe(refItems, 1.96)
			if errs != 0 || pending != 0 || with.N != items {
				t.Fatalf("ReferenceProbe: %d judged, %d errors, %d pending", with.N, errs, pending)
			}
			t.Logf("failures with the reference %d/%d, without %d/%d", with.Count, with.N, without.Count, without.N)
			covers := func(name string, s audit.Share, want float64) {
				if float64(s.CI[0]) > want || float64(s.CI[1]) < want {
					t.Errorf("%s = %d/%d %v, does not cover the programmed %.3f", name, s.Count, s.N, *s.CI, want)
				}
			}
			covers("failures without the reference", without, q*q)
			if reads {
				if with.Count != 0 {
					t.Errorf("a judge that reads references failed %d times with them, want 0", with.Count)
				}
				if float64(without.CI[0]) <= float64(with.CI[1]) {
					t.Errorf("intervals with %v and without %v overlap: the probe does not see the reference read", *with.CI, *without.CI)
				}
			} else {
				covers("failures with the reference (ignored)", with, q*q)
			}
		})
	}
}

func label(t *testing.T, g *store.Game) audit.Label {
	t.Helper()
	l, err := audit.ParseLabel(g.Winner)
	if err != nil {
		t.Fatalf("game winner %q: %v", g.Winner, err)
	}
	return l
}
