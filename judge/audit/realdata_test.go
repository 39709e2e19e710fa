package audit_test

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"concord/judge/audit"
)

// dataDir is the shared third-party data, relative to this package.
const dataDir = "../../../shared/data"

func needData(tb testing.TB, rel string) string {
	tb.Helper()
	p := filepath.Join(dataDir, rel)
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("real data %s not present (%v): skipping", p, err)
	}
	return p
}

func readCSV(tb testing.TB, path string) []map[string]string {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatalf("read %s: %v", path, err)
	}
	var out []map[string]string
	for _, r := range rows[1:] {
		m := map[string]string{}
		for i, h := range rows[0] {
			m[h] = r[i]
		}
		out = append(out, m)
	}
	return out
}

// mtBench loads the MT-Bench human judgments (group = "expert" or "author" by
// the judge prefix) and GPT-4 pair verdicts, with categories and answer lengths
// when the question and answer files are present.
func mtBench(tb testing.TB) ([]audit.HumanVote, []audit.JudgeVerdict) {
	tb.Helper()
	dir := needData(tb, "mt_bench_human_judgments")
	cats := map[int]string{}
	lens := map[[3]any]int{} // question, model, turn
	if f, err := os.ReadFile(filepath.Join(dataDir, "mt_bench/question.jsonl")); err == nil {
		for _, line := range strings.Split(strings.TrimSpace(string(f)), "\n") {
			var q struct {
				ID       int    `json:"question_id"`
				Category string `json:"category"`
			}
			if json.Unmarshal([]byte(line), &q) == nil {
				cats[q.ID] = q.Category
			}
		}
	}
	answers, _ := filepath.Glob(filepath.Join(dataDir, "mt_bench/model_answer/*.jsonl"))
	for _, path := range answers {
		model := strings.TrimSuffix(filepath.Base(path), ".jsonl")
		f, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(strings.TrimSpace(string(f)), "\n") {
			var a struct {
				ID      int `json:"question_id"`
				Choices []struct {
					Turns []string `json:"turns"`
				} `json:"choices"`
			}
			if json.Unmarshal([]byte(line), &a) != nil || len(a.Choices) == 0 {
				continue
			}
			for t, s := range a.Choices[0].Turns {
				lens[[3]any{a.ID, model, t + 1}] = len([]rune(s))
			}
		}
	}
	var votes []audit.HumanVote
	for _, r := range readCSV(tb, filepath.Join(dir, "human.csv")) {
		q, _ := strconv.Atoi(r["question_id"])
		t, _ := strconv.Atoi(r["turn"])
		l, err := audit.ParseLabel(r["winner"])
		if err != nil {
			tb.Fatal(err)
		}
		group, _, _ := strings.Cut(r["judge"], "_")
		votes = append(votes, audit.HumanVote{Question: q, Category: cats[q], ModelA: r["model_a"], ModelB: r["model_b"], Turn: t,
			Choice: l, Annotator: r["judge"], Group: group,
			LenA: lens[[3]any{q, r["model_a"], t}], LenB: lens[[3]any{q, r["model_b"], t}]})
	}
	var verdicts []audit.JudgeVerdict
	for _, r := range readCSV(tb, filepath.Join(dir, "gpt4_pair.csv")) {
		q, _ := strconv.Atoi(r["question_id"])
		t, _ := strconv.Atoi(r["turn"])
		l, err := audit.ParseLabel(r["winner"])
		if err != nil {
			tb.Fatal(err)
		}
		verdicts = append(verdicts, audit.JudgeVerdict{Judge: "gpt-4", Question: q, Category: cats[q], ModelA: r["model_a"], ModelB: r["model_b"], Turn: t,
			Combined: l, LenA: lens[[3]any{q, r["model_a"], t}], LenB: lens[[3]any{q, r["model_b"], t}]})
	}
	return votes, verdicts
}

func findAgreement(r *audit.Report, a string, turn int) *audit.Agreement {
	for _, x := range r.Agreement {
		if x.A == a && ((turn == 0 && x.Turn == nil) || (x.Turn != nil && *x.Turn == turn)) {
			return x
		}
	}
	return nil
}

// TestMTBenchTable5 reproduces Table 5 of Zheng et al. 2023 (experts only).
func TestMTBenchTable5(t *testing.T) {
	votes, verdicts := mtBench(t)
	opt := audit.DefaultOptions()
	opt.Humans = "expert"
	opt.Bootstrap = 200
	r := audit.Compute(votes, verdicts, opt)
	tests := []struct {
		a                   string
		turn                int
		nWith, nWithout     int
		pctWith, pctWithout int
	}{
		{"gpt-4", 1, 1343, 859, 66, 85},
		{"gpt-4", 2, 1325, 864, 66, 85},
		{"human", 1, 721, 479, 63, 81},
		{"human", 2, 707, 474, 67, 82},
	}
	for _, tc := range tests {
		ag := findAgreement(r, tc.a, tc.turn)
		if ag == nil {
			t.Fatalf("no agreement entry for %s turn %d", tc.a, tc.turn)
		}
		if ag.WithTies.N != tc.nWith || ag.WithoutTies.N != tc.nWithout {
			t.Errorf("%s turn %d: n = %d / %d, want %d / %d", tc.a, tc.turn, ag.WithTies.N, ag.WithoutTies.N, tc.nWith, tc.nWithout)
		}
		if got := int(math.Round(100 * float64(ag.WithTies.Rate))); got != tc.pctWith {
			t.Errorf("%s turn %d: with ties = %d%%, want %d%%", tc.a, tc.turn, got, tc.pctWith)
		}
		if got := int(math.Round(100 * float64(ag.WithoutTies.Rate))); got != tc.pctWithout {
			t.Errorf("%s turn %d: without ties = %d%%, want %d%%", tc.a, tc.turn, got, tc.pctWithout)
		}
		ci := ag.WithTies.CI
		if ci == nil || ci[0] > ag.WithTies.Rate || ci[1] < ag.WithTies.Rate {
			t.Errorf("%s turn %d: interval %v does not hold the rate %v", tc.a, tc.turn, ci, ag.WithTies.Rate)
		}
	}
	if ag := findAgreement(r, "gpt-4", 1); ag != nil && ag.WithTies.Agree != 886 {
		t.Errorf("gpt-4 turn 1 agree = %d, want 886", ag.WithTies.Agree)
	}
	if len(r.PositionBias.Judges) != 1 || r.PositionBias.Judges[0].CombinedOnly == nil {
		t.Fatalf("position bias = %+v, want the combined-only inconsistency rate", r.PositionBias.Judges)
	}
	co := r.PositionBias.Judges[0].CombinedOnly
	if co.Units != 2400 || co.Inconsistent != 380 {
		t.Errorf("combined-only inconsistency = %d/%d, want 380/2400", co.Inconsistent, co.Units)
	}
}

func TestPandaLMKappa(t *testing.T) {
	path := needData(t, "pandalm/testset-v1.json")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var items []struct{ Annotator1, Annotator2, Annotator3 int }
	if err := json.Unmarshal(b, &items); err != nil {
		t.Fatal(err)
	}
	labels := make([][3]int, len(items))
	for i, it := range items {
		labels[i] = [3]int{it.Annotator1, it.Annotator2, it.Annotator3}
	}
	for _, tc := range []struct {
		x, y int
		want float64
	}{{0, 1, 0.85}, {0, 2, 0.88}, {1, 2, 0.86}} {
		m := [][]float64{make([]float64, 3), make([]float64, 3), make([]float64, 3)}
		for _, l := range labels {
			m[l[tc.x]][l[tc.y]]++
		}
		if got := audit.CohenKappa(m); math.Round(got*100)/100 != tc.want {
			t.Errorf("CohenKappa(annotator%d, annotator%d) = %.4f, want %.2f", tc.x+1, tc.y+1, got, tc.want)
		}
	}
	// Majority split 105 / 422 / 472 (tie / 1 / 2).
	var split [3]int
	for _, l := range labels {
		var c [3]int
		for _, v := range l {
			c[v]++
		}
		for k := range c {
			if c[k] >= 2 {
				split[k]++
			}
		}
	}
	if split != [3]int{105, 422, 472} {
		t.Errorf("majority split = %v, want [105 422 472]", split)
	}
}
