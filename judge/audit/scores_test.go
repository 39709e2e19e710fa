package audit_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"concord/judge/audit"
)

// readSingle parses FastChat's single-answer judgment JSONL (judge is
// [name, prompt]); score -1 (a grade that could not be parsed) stays -1.
func readSingle(tb testing.TB) []audit.Rating {
	tb.Helper()
	path := needData(tb, "mt_bench/model_judgment/gpt-4_single.jsonl")
	cats := map[int]string{}
	if f, err := os.ReadFile(filepath.Join(dataDir, "mt_bench/question.jsonl")); err == nil {
		for _, line := range strings.Split(strings.TrimSpace(string(f)), "\n") {
			var q struct {
				ID       int    `json:"question_id"`
				Category string `json:"category"`
			}
			if err := json.Unmarshal([]byte(line), &q); err != nil {
				tb.Fatalf("question.jsonl: %v", err)
			}
			cats[q.ID] = q.Category
		}
	}
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []audit.Rating
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		var r struct {
			Question int      `json:"question_id"`
			Model    string   `json:"model"`
			Judge    []string `json:"judge"`
			Score    *float64 `json:"score"`
			Turn     int      `json:"turn"`
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			tb.Fatalf("%s:%d: %v", path, line, err)
		}
		if r.Score == nil || len(r.Judge) == 0 {
			tb.Fatalf("%s:%d: field \"score\" or \"judge\" missing", path, line)
		}
		out = append(out, audit.Rating{Judge: r.Judge[0], Question: r.Question, Category: cats[r.Question], Model: r.Model, Turn: r.Turn, Score: *r.Score})
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// TestMTBenchScoresRealData reproduces FastChat show_result.py's means on its
// pre-generated GPT-4 grades (data/README.md) and the paper's rounded scores.
func TestMTBenchScoresRealData(t *testing.T) {
	ratings := readSingle(t)
	s := audit.MTBenchScores(ratings, audit.Options{Bootstrap: 200, Seed: 1})
	want := map[string][4]float64{ // both turns, turn 1, turn 2, paper
		"gpt-4":           {8.990625, 8.956250, 9.025000, 8.99},
		"gpt-3.5-turbo":   {7.943750, 8.075000, 7.812500, 7.94},
		"claude-v1":       {7.900000, 8.150000, 7.650000, 7.90},
		"vicuna-13b-v1.3": {6.387500, 6.812500, 5.962500, 6.39},
		"alpaca-13b":      {4.531250, 4.975000, 4.087500, 4.53},
		"llama-13b":       {2.606250, 3.262500, 1.950000, 2.61},
	}
	if len(s.Models) != len(want) || s.Errors["gpt-4"] != 0 {
		t.Fatalf("MTBenchScores: %d models, %d errors, want %d and 0", len(s.Models), s.Errors["gpt-4"], len(want))
	}
	for _, m := range s.Models {
		w, ok := want[m.Model]
		if !ok {
			t.Errorf("unexpected model %q", m.Model)
			continue
		}
		got := [3]float64{float64(m.All.Mean), float64(m.ByTurn[0].Mean), float64(m.ByTurn[1].Mean)}
		for i := range got {
			if fmt.Sprintf("%.6f", got[i]) != fmt.Sprintf("%.6f", w[i]) {
				t.Errorf("%s mean %d = %.6f, want %.6f", m.Model, i, got[i], w[i])
			}
		}
		if paper := fmt.Sprintf("%.2f", got[0]); paper != fmt.Sprintf("%.2f", w[3]) {
			t.Errorf("%s score rounds to %s, the paper says %.2f", m.Model, paper, w[3])
		}
		if m.All.N != 160 || m.ByTurn[0].N != 80 || len(m.ByCategory) != 8 {
			t.Errorf("%s: n = %d (turns %d), %d categories, want 160 (80), 8", m.Model, m.All.N, m.ByTurn[0].N, len(m.ByCategory))
		}
		if ci := m.All.CI; ci == nil || !(ci[0] < m.All.Mean && m.All.Mean < ci[1]) {
			t.Errorf("%s: interval %v does not surround the mean %v", m.Model, ci, m.All.Mean)
		}
	}
	// gpt-4 vs llama-13b is far apart; gpt-3.5-turbo vs claude-v1 (7.94 vs 7.90) is not.
	for _, d := range s.Differences {
		switch [2]string{d.A, d.B} {
		case [2]string{"gpt-4", "llama-13b"}:
			if !d.Separable || math.Abs(float64(d.Diff)-(8.990625-2.60625)) > 1e-9 {
				t.Errorf("gpt-4 - llama-13b = %v %v separable %v, want 6.384375, separable", d.Diff, d.CI, d.Separable)
			}
		case [2]string{"claude-v1", "gpt-3.5-turbo"}:
			if d.Separable {
				t.Errorf("claude-v1 - gpt-3.5-turbo = %v %v: separable, want not", d.Diff, d.CI)
			}
		}
	}
	if len(s.Differences) != 15 {
		t.Errorf("%d differences, want 15", len(s.Differences))
	}
}

func TestMTBenchScores(t *testing.T) {
	r := func(q int, cat, model string, turn int, score float64) audit.Rating {
		return audit.Rating{Judge: "j", Question: q, Category: cat, Model: model, Turn: turn, Score: score}
	}
	ratings := []audit.Rating{
		r(1, "math", "x", 1, 8), r(1, "math", "x", 2, 6), r(1, "math", "y", 1, 4), r(1, "math", "y", 2, -1),
		r(2, "code", "x", 1, 10), r(2, "code", "x", 2, 7.5), r(2, "code", "y", 1, 5), r(2, "code", "y", 2, 5),
	}
	s := audit.MTBenchScores(ratings, audit.Options{Bootstrap: -1})
	tests := []struct {
		model             string
		all, t1, t2, code float64
		n                 int
	}{
		{"x", 31.5 / 4, 9, 6.75, 8.75, 4},
		{"y", 14.0 / 3, 4.5, 5, 5, 3},
	}
	if len(s.Models) != 2 || s.Errors["j"] != 1 {
		t.Fatalf("MTBenchScores: %d models, %d errors; want 2 and 1", len(s.Models), s.Errors["j"])
	}
	for i, tt := range tests {
		m := s.Models[i]
		got := []float64{float64(m.All.Mean), float64(m.ByTurn[0].Mean), float64(m.ByTurn[1].Mean), float64(m.ByCategory[0].Mean)}
		want := []float64{tt.all, tt.t1, tt.t2, tt.code}
		for k := range got {
			if math.Abs(got[k]-want[k]) > 1e-12 {
				t.Errorf("MTBenchScores %s = %v, want %v", tt.model, got, want)
				break
			}
		}
		if m.Model != tt.model || m.All.N != tt.n || m.All.CI != nil || m.ByCategory[0].Category != "code" {
			t.Errorf("MTBenchScores %s: model %q, n %d, ci %v, first category %q; want n %d, no interval, code",
				tt.model, m.Model, m.All.N, m.All.CI, m.ByCategory[0].Category, tt.n)
		}
	}
	d := s.Differences[0]
	if d.A != "x" || d.B != "y" || math.Abs(float64(d.Diff)-(31.5/4-14.0/3)) > 1e-12 || d.Separable {
		t.Errorf("difference = %+v, want x - y = %v, not separable without an interval", d, 31.5/4-14.0/3)
	}
}

// TestMTBenchScoresPaired checks that the difference's interval is paired:
// when y scores x's rating minus 1 on every answer, every resample gives a
// difference of exactly 1, however the questions vary.
func TestMTBenchScoresPaired(t *testing.T) {
	var ratings []audit.Rating
	for q := range 40 {
		s := float64(2 + q%8)
		ratings = append(ratings,
			audit.Rating{Judge: "j", Question: q, Model: "x", Turn: 1, Score: s},
			audit.Rating{Judge: "j", Question: q, Model: "y", Turn: 1, Score: s - 1})
	}
	s := audit.MTBenchScores(ratings, audit.Options{Bootstrap: 100, Seed: 4})
	d := s.Differences[0]
	if d.CI == nil || math.Abs(float64(d.CI[0])-1) > 1e-9 || math.Abs(float64(d.CI[1])-1) > 1e-9 || !d.Separable {
		t.Errorf("paired difference = %v %v, want 1 [1, 1], separable", d.Diff, d.CI)
	}
	if ci := s.Models[0].All.CI; ci == nil || ci[1]-ci[0] < 0.5 {
		t.Errorf("x's own interval = %v, want a wide one (the questions vary)", ci)
	}
}

func TestRatingVerdicts(t *testing.T) {
	ratings := []audit.Rating{
		{Judge: "j", Question: 1, Model: "z", Turn: 1, Score: 3},
		{Judge: "j", Question: 1, Model: "x", Turn: 1, Score: 7},
		{Judge: "j", Question: 1, Model: "y", Turn: 1, Score: 7},
		{Judge: "j", Question: 2, Model: "x", Turn: 1, Score: -1},
		{Judge: "j", Question: 2, Model: "y", Turn: 1, Score: 2},
	}
	got, skipped := audit.RatingVerdicts(ratings)
	want := []string{"1 x-y tie", "1 x-z model_a", "1 y-z model_a"}
	var gs []string
	for _, v := range got {
		gs = append(gs, fmt.Sprintf("%d %s-%s %v", v.Question, v.ModelA, v.ModelB, v.Combined))
	}
	if strings.Join(gs, ",") != strings.Join(want, ",") || skipped != 1 {
		t.Errorf("RatingVerdicts = %v, skipped %d; want %v, 1", gs, skipped, want)
	}
}

func ExampleMTBenchScores() {
	ratings := []audit.Rating{
		{Judge: "gpt-4", Question: 81, Category: "writing", Model: "m1", Turn: 1, Score: 9},
		{Judge: "gpt-4", Question: 81, Category: "writing", Model: "m1", Turn: 2, Score: 8.5},
		{Judge: "gpt-4", Question: 81, Category: "writing", Model: "m2", Turn: 1, Score: 6},
		{Judge: "gpt-4", Question: 81, Category: "writing", Model: "m2", Turn: 2, Score: -1}, // unparsable grade
	}
	s := audit.MTBenchScores(ratings, audit.Options{Bootstrap: -1})
	for _, m := range s.Models {
		fmt.Printf("%s: %.3f over %d ratings (turn 1 %.2f)\n", m.Model, float64(m.All.Mean), m.All.N, float64(m.ByTurn[0].Mean))
	}
	fmt.Println("errors:", s.Errors["gpt-4"])
	// Output:
	// m1: 8.750 over 2 ratings (turn 1 9.00)
	// m2: 6.000 over 1 ratings (turn 1 6.00)
	// errors: 1
}

// BenchmarkMTBenchScores: the scores, per-category means and 15 paired
// differences of the GPT-4 single grades (960 ratings), 1,000 resamples.
func BenchmarkMTBenchScores(b *testing.B) {
	ratings := readSingle(b)
	opt := audit.DefaultOptions()
	b.ReportAllocs()
	for b.Loop() {
		audit.MTBenchScores(ratings, opt)
	}
}
