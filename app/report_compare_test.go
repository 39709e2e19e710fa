package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"concord/judge/audit"
	"concord/store"
)

// secondDemoJudge adds to the demo database at db a judge "contrarian" that
// judged the demo judge's units with every game's winner swapped.
func secondDemoJudge(t *testing.T, db string) {
	t.Helper()
	s, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	vs, err := s.Verdicts(context.Background(), "demo-judge")
	if err != nil || len(vs) == 0 {
		t.Fatalf("demo verdicts: %d, %v", len(vs), err)
	}
	swap := map[string]string{"model_1": "model_2", "model_2": "model_1"}
	var b strings.Builder
	for _, v := range vs {
		g := func(x *store.Game) string {
			if w, ok := swap[x.Winner]; ok {
				return w
			}
			return x.Winner
		}
		line, _ := json.Marshal(map[string]any{"question_id": v.QuestionID, "model_1": v.Model1, "model_2": v.Model2,
			"g1_winner": g(v.G1), "g2_winner": g(v.G2), "judge": []string{"contrarian", "concord-pair-v1"}, "turn": v.Turn})
		fmt.Fprintf(&b, "%s\n", line)
	}
	dir := filepath.Join(t.TempDir(), "model_judgment")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "contrarian_pair.jsonl")
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Import(context.Background(), []string{file}, store.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
}

// TestReportCompare checks that each side of --compare is the judge's own
// agreement from its single-judge report, and that the paired difference is
// their difference.
func TestReportCompare(t *testing.T) {
	db := demoDB(t)
	secondDemoJudge(t, db)
	own := map[string]audit.Num{}
	for _, j := range []string{"demo-judge", "contrarian"} {
		code, out, errOut := cliRun(t, db, "report", "--judge", j, "--bootstrap", "0", "--format", "json")
		var r audit.Report
		if code != 0 || json.Unmarshal([]byte(out), &r) != nil {
			t.Fatalf("report --judge %s: exit %d, %s", j, code, errOut)
		}
		for _, a := range r.Agreement {
			if a.A == j && a.Turn == nil {
				own[j] = a.WithTies.Rate
			}
		}
		if len(r.Confusion) != 1 || r.Confusion[0].Judge != j || r.Confusion[0].Accuracy != own[j] {
			t.Errorf("report --judge %s: confusion %+v, want one matrix of %s with accuracy %v", j, r.Confusion, j, own[j])
		}
		if len(r.PPI) == 0 {
			t.Errorf("report --judge %s: no PPI estimate", j)
		}
		if r.Comparison != nil {
			t.Errorf("report --judge %s without --compare has a comparison", j)
		}
	}
	code, out, errOut := cliRun(t, db, "report", "--judge", "demo-judge", "--compare", "demo-judge,contrarian", "--bootstrap", "50", "--format", "json")
	var r audit.Report
	if code != 0 || json.Unmarshal([]byte(out), &r) != nil {
		t.Fatalf("report --compare: exit %d, %s", code, errOut)
	}
	c := r.Comparison
	if c == nil || len(c.Sides) != 2 {
		t.Fatalf("report --compare: comparison %+v", c)
	}
	for i, j := range []string{"demo-judge", "contrarian"} {
		if c.Sides[i].Judge != j || c.Sides[i].WithTies.Rate != own[j] {
			t.Errorf("side %d = %s %v, want %s %v (its own report's agreement)", i, c.Sides[i].Judge, c.Sides[i].WithTies.Rate, j, own[j])
		}
	}
	if d := float64(c.DiffWithTies.Value) - float64(own["demo-judge"]-own["contrarian"]); d > 1e-3 || d < -1e-3 || c.DiffWithTies.CI == nil {
		t.Errorf("difference %v %v, want %v with an interval", c.DiffWithTies.Value, c.DiffWithTies.CI, own["demo-judge"]-own["contrarian"])
	}
	if c.McNemar.B == 0 || c.McNemar.P >= 0.05 {
		t.Errorf("McNemar %+v: a judge that swaps every winner should disagree significantly", c.McNemar)
	}
	for _, f := range []string{"text", "markdown"} {
		_, out, _ := cliRun(t, db, "report", "--judge", "demo-judge", "--compare", "contrarian", "--bootstrap", "0", "--format", f)
		if !strings.Contains(out, "Judge vs judge") || !strings.Contains(out, "contrarian") {
			t.Errorf("report --compare contrarian --format %s lacks the comparison:\n%s", f, out)
		}
	}
	for _, bad := range []string{"demo-judge,demo-judge", "nobody", ",x"} {
		if code, _, errOut := cliRun(t, db, "report", "--judge", "demo-judge", "--compare", bad, "--bootstrap", "0"); code == 0 || !strings.Contains(errOut, "compare") {
			t.Errorf("report --compare %q = exit %d, %q; want an error naming --compare", bad, code, errOut)
		}
	}
}

// TestReportCompareSpend runs two judges (gpt-4o and gpt-4o-mini by name)
// against a fake server that bills 10 prompt and 3 completion tokens per
// request: the comparison prices each verdict (two games) by the default
// price table and measures its latency.
func TestReportCompareSpend(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	db := judgeFixture(t)
	var calls atomic.Int64
	srv := fakeJudge(t, &calls)
	for _, m := range []string{"gpt-4o", "gpt-4o-mini"} {
		cliRun(t, db, "judge", "--base-url", srv.URL+"/v1", "--model", m) // m3's second turns end in errors: exit 1 is expected
	}
	code, out, errOut := cliRun(t, db, "report", "--judge", "gpt-4o", "--compare", "gpt-4o-mini", "--bootstrap", "0", "--format", "json")
	var r audit.Report
	if code != 0 || json.Unmarshal([]byte(out), &r) != nil || r.Comparison == nil {
		t.Fatalf("report --compare: exit %d, %s", code, errOut)
	}
	// 2 games x (10 x input + 3 x output) per million tokens.
	want := map[string]float64{"gpt-4o": 2 * (10*2.50 + 3*10.00) / 1e6, "gpt-4o-mini": 2 * (10*0.15 + 3*0.60) / 1e6}
	for _, s := range r.Comparison.Sides {
		sp := s.Spend
		if sp == nil || sp.Model != s.Judge || sp.Verdicts != r.Comparison.Units || float64(sp.TokensIn) != 20 || float64(sp.TokensOut) != 6 {
			t.Fatalf("%s: spend %+v, want %d verdicts of 20 tokens in and 6 out", s.Judge, sp, r.Comparison.Units)
		}
		if sp.USD == nil || *sp.USD-want[s.Judge] > 1e-12 || *sp.USD-want[s.Judge] < -1e-12 {
			t.Errorf("%s: cost per verdict %v, want %v", s.Judge, sp.USD, want[s.Judge])
		}
		if !sp.LatencyMS.Valid() || sp.LatencyMS < 0 {
			t.Errorf("%s: latency per verdict %v, want a measured figure", s.Judge, sp.LatencyMS)
		}
	}
	_, md, _ := cliRun(t, db, "report", "--judge", "gpt-4o", "--compare", "gpt-4o-mini", "--bootstrap", "0", "--format", "markdown")
	if !strings.Contains(md, "cost per verdict") || !strings.Contains(md, "$0.00011") {
		t.Errorf("markdown comparison lacks the cost per verdict:\n%s", md)
	}
}
