package audit_test

import (
	"math"
	"testing"

	"concord/judge/audit"
)

func TestJudgeConfusion(t *testing.T) {
	votes, verdicts := judgeVsJudge()
	for _, tc := range []struct {
		judge    string
		cells    map[[2]audit.Label]int // (judge row, human column) -> count; every other cell is 0
		recall   []float64              // per column A, B, Tie, BothBad, BothGood
		prec     []float64              // per row A, B, Tie, Inconsistent, Error
		accuracy float64
	}{
		{
			// x: q1 A vs votes A, A, B; q2 A vs both-bad; q3 B vs B; q4 error vs A.
			judge:    "x",
			cells:    map[[2]audit.Label]int{{audit.A, audit.A}: 2, {audit.A, audit.B}: 1, {audit.A, audit.BothBad}: 1, {audit.B, audit.B}: 1, {audit.Error, audit.A}: 1},
			recall:   []float64{1, 0.5, math.NaN(), 0, math.NaN()},
			prec:     []float64{0.5, 1, math.NaN(), math.NaN(), math.NaN()},
			accuracy: 0.6,
		},
		{
			// y: q1 B vs A, A, B; q2 tie vs both-bad; q3 inconsistent vs B; q4 A vs A.
			judge:    "y",
			cells:    map[[2]audit.Label]int{{audit.B, audit.A}: 2, {audit.B, audit.B}: 1, {audit.Tie, audit.BothBad}: 1, {audit.Inconsistent, audit.B}: 1, {audit.A, audit.A}: 1},
			recall:   []float64{1.0 / 3, 0.5, math.NaN(), 1, math.NaN()},
			prec:     []float64{1, 1.0 / 3, 1, 0, math.NaN()},
			accuracy: 0.5,
		},
	} {
		c, err := audit.JudgeConfusion(votes, verdicts, tc.judge, audit.Options{})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for r, rl := range audit.ConfusionRows {
			for col, cl := range audit.ConfusionCols {
				want := tc.cells[[2]audit.Label{rl, cl}]
				n += want
				if c.Counts[r][col] != want {
					t.Errorf("JudgeConfusion(%s)[%v][%v] = %d, want %d", tc.judge, rl, cl, c.Counts[r][col], want)
				}
			}
		}
		if c.N != n {
			t.Errorf("JudgeConfusion(%s).N = %d, want %d", tc.judge, c.N, n)
		}
		same := func(got audit.Num, want float64) bool {
			return math.IsNaN(want) && !got.Valid() || near(float64(got), want)
		}
		for i, w := range tc.recall {
			if !same(c.Recall[i], w) {
				t.Errorf("JudgeConfusion(%s).Recall[%v] = %v, want %v", tc.judge, audit.ConfusionCols[i], c.Recall[i], w)
			}
		}
		for i, w := range tc.prec {
			if !same(c.Precision[i], w) {
				t.Errorf("JudgeConfusion(%s).Precision[%v] = %v, want %v", tc.judge, audit.ConfusionRows[i], c.Precision[i], w)
			}
		}
		if !same(c.Accuracy, tc.accuracy) {
			t.Errorf("JudgeConfusion(%s).Accuracy = %v, want %v", tc.judge, c.Accuracy, tc.accuracy)
		}
	}
	if _, err := audit.JudgeConfusion(votes, verdicts, "nobody", audit.Options{}); err == nil {
		t.Error("JudgeConfusion(nobody) = nil error, want one")
	}
}
