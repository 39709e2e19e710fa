package judge_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"concord/judge"
	"concord/judge/audit"
	"concord/store"
)

// TestRenameLabels renames the labels of Concord's prompts: no label A or B
// is left (only the article "A" opening a phrase), the names and their
// verdict tokens are there, and a reply naming a renamed label parses.
func TestRenameLabels(t *testing.T) {
	leftover := regexp.MustCompile(`\bB\b|\[\[A\]\]|\bA\b( and| or|'s| ===|\]|$|[.,:])`)
	for _, p := range judge.BuiltinPrompts() {
		r, err := judge.RenameLabels(p, "Kestrel", "Heron")
		if err != nil {
			t.Fatal(err)
		}
		for _, text := range []string{r.System, r.Template} {
			for _, line := range strings.Split(text, "\n") {
				if m := leftover.FindString(line); m != "" {
					t.Errorf("RenameLabels(%s) left %q in %q", p.Name, m, line)
				}
			}
		}
		if !strings.Contains(r.System, "[[Kestrel]]") || !strings.Contains(r.System, "[[Heron]]") || !strings.Contains(r.Template, "Kestrel") {
			t.Errorf("RenameLabels(%s) = %q / %q, want the new names and tokens", p.Name, r.System, r.Template)
		}
		if r.Name != p.Name+"~Kestrel-Heron" || r.Hash() == p.Hash() {
			t.Errorf("RenameLabels(%s) named %s, hash %s; want a name and hash of its own", p.Name, r.Name, r.Hash())
		}
	}
	if r, _ := judge.RenameLabels(judge.ConcordTurn1, "Kestrel", "Heron"); !strings.Contains(r.System, "A longer answer is not a better answer") {
		t.Errorf("the article A was renamed: %q", r.System)
	}
	for _, bad := range [][2]string{{"", "x"}, {"A", "Heron"}, {"Kes trel", "Heron"}, {"Heron", "Heron"}, {"[[A]]", "Heron"}} {
		if _, err := judge.RenameLabels(judge.ConcordTurn1, bad[0], bad[1]); err == nil {
			t.Errorf("RenameLabels(%q, %q) succeeded, want an error", bad[0], bad[1])
		}
	}
}

// TestLabelsProbeSeparatesPositionFromLabel judges the same units in both
// orders with the labels A and B and with neutral names against fake judges
// with a programmed first-position preference p and label-A preference l (and
// a length preference q to make second-position wins): the probe's shares
// and their difference cover the programmed rates. Per game, with the longer
// answer first in half of the games, the first answer wins with probability
// f = p + (1-p)l + (1-p)(1-l)q/2 and the second with s = (1-p)(1-l)q/2, so
// first = f / (f + s); with neutral names l = 0.
func TestLabelsProbeSeparatesPositionFromLabel(t *testing.T) {
	const items = 150
	for _, b := range []bias{{Seed: 11, First: 0.2, LabelA: 0, Longer: 0.6}, {Seed: 12, First: 0.1, LabelA: 0.5, Longer: 0.6}} {
		t.Run(fmt.Sprintf("p=%v,l=%v", b.First, b.LabelA), func(t *testing.T) {
			ctx := context.Background()
			st, _ := mustOpen(t)
			writeFixture(t, st, items, []string{"m1", "m2"})
			var m judge.Material
			var sel judge.Selection
			for i := 1; i <= items; i++ {
				m.Questions = append(m.Questions, store.Question{ID: i, Category: "writing", Turns: []string{fmt.Sprintf("Question %d?", i)}})
				short, long := fmt.Sprintf("Answer %d.", i), fmt.Sprintf("A much longer answer to question %d, with detail.", i)
				if i%2 == 0 {
					short, long = long, short
				}
				m.Answers = append(m.Answers, store.Answer{QuestionID: i, Model: "m1", Turns: []string{short}}, store.Answer{QuestionID: i, Model: "m2", Turns: []string{long}})
				sel.Units = append(sel.Units, judge.Unit{QuestionID: i, Model1: "m1", Model2: "m2", Turn: 1})
			}
			named, err := judge.RenameSetLabels(judge.ConcordSet, "Kestrel", "Heron")
			if err != nil {
				t.Fatal(err)
			}
			var tasks []judge.Task
			for _, set := range []judge.PromptSet{judge.ConcordSet, named} {
				ts, skipped, err := judge.BuildTasks(m, sel, set)
				if err != nil || len(skipped) > 0 {
					t.Fatalf("BuildTasks(%s): skipped %v, %v", set.Name, skipped, err)
				}
				tasks = append(tasks, ts...)
			}
			f := newFakeServer(t, b.decide)
			r := &judge.Runner{Config: judge.Config{Name: "j@position-1", Model: "fake", Concurrency: 4}, Set: judge.ConcordSet, Store: st,
				Client: judge.NewOpenAIClient(judge.ClientConfig{BaseURL: f.URL + "/v1", Model: "fake", APIKey: testKey})}
			if _, err := r.Run(ctx, tasks); err != nil {
				t.Fatal(err)
			}
			vs, err := st.Verdicts(ctx, "j@position-1")
			if err != nil || len(vs) != 2*items {
				t.Fatalf("%d verdicts, %v", len(vs), err)
			}
			byQ := map[int]*audit.LabelItem{}
			for _, v := range vs {
				if byQ[v.QuestionID] == nil {
					byQ[v.QuestionID] = &audit.LabelItem{}
				}
				g := audit.ProbeGames{G1: label(t, v.G1), G2: label(t, v.G2)}
				if strings.HasSuffix(v.Prompt, "~Kestrel-Heron") {
					byQ[v.QuestionID].Names = g
				} else {
					byQ[v.QuestionID].Letters = g
				}
			}
			var li []audit.LabelItem
			for _, it := range byQ {
				li = append(li, *it)
			}
			letters, names, lab, errs, pending := audit.LabelsProbe(li, 1.96)
			if errs != 0 || pending != 0 {
				t.Fatalf("LabelsProbe: %d errors, %d pending", errs, pending)
			}
			first := func(p, l, q float64) float64 {
				f, s := p+(1-p)*l+(1-p)*(1-l)*q/2, (1-p)*(1-l)*q/2
				return f / (f + s)
			}
			wantL, wantN := first(b.First, b.LabelA, b.Longer), first(b.First, 0, b.Longer)
			t.Logf("first with letters %d/%d (want %.3f), with names %d/%d (want %.3f), label %.3f %v", letters.Count, letters.N, wantL,
				names.Count, names.N, wantN, lab.Value, *lab.CI)
			for _, c := range []struct {
				name   string
				lo, hi Num
				want   float64
			}{{"first with letters", letters.CI[0], letters.CI[1], wantL}, {"first with names", names.CI[0], names.CI[1], wantN},
				{"label preference", lab.CI[0], lab.CI[1], wantL - wantN}} {
				if float64(c.lo) > c.want || float64(c.hi) < c.want {
					t.Errorf("%s: interval [%.3f, %.3f] does not cover the programmed %.3f", c.name, c.lo, c.hi, c.want)
				}
			}
			if b.LabelA > 0 && float64(lab.CI[0]) <= 0 {
				t.Errorf("label preference %v: interval reaches 0, the probe misses the programmed label bias", *lab.CI)
			}
		})
	}
}

// Num is audit.Num, for the table above.
type Num = audit.Num
