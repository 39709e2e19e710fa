package audit

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestSolveSym(t *testing.T) {
	tests := []struct {
		name   string
		h, g   []float64 // h: upper triangle, row-major
		want   []float64
		wantOK bool
	}{
		{"2x2", []float64{4, 2, 0, 3}, []float64{10, 8}, []float64{1.75, 1.5}, true},
		{"unused regressor", []float64{2, 0, 0, 0, 0, 0, 0, 0, 4}, []float64{2, 0, 8}, []float64{1, 0, 2}, true},
		{"not positive definite", []float64{1, 2, 0, 1}, []float64{1, 1}, nil, false},
		{"nothing used", []float64{0, 0, 0, 0}, []float64{1, 1}, nil, false},
	}
	for _, tt := range tests {
		got, ok := solveSym(tt.h, tt.g)
		if ok != tt.wantOK {
			t.Errorf("solveSym(%s) ok = %v, want %v", tt.name, ok, tt.wantOK)
			continue
		}
		for i := range tt.want {
			if math.Abs(got[i]-tt.want[i]) > 1e-12 {
				t.Errorf("solveSym(%s) = %v, want %v", tt.name, got, tt.want)
				break
			}
		}
	}
}

func TestLogistic(t *testing.T) {
	// Four groups with known rates: the fit reproduces their log-odds exactly
	// (a saturated model: intercept and one binary regressor, two groups each).
	var rows [][]float64
	var y []bool
	add := func(v float64, ones, n int) {
		for i := range n {
			rows = append(rows, []float64{1, v})
			y = append(y, i < ones)
		}
	}
	add(0, 1, 4) // P = 1/4 at v = 0
	add(1, 3, 4) // P = 3/4 at v = 1
	x := mat.NewDense(len(rows), 2, nil)
	for i, r := range rows {
		x.SetRow(i, r)
	}
	beta := logistic(x, y)
	want := []float64{math.Log(1.0 / 3), 2 * math.Log(3)}
	if beta == nil || math.Abs(beta[0]-want[0]) > 1e-9 || math.Abs(beta[1]-want[1]) > 1e-9 {
		t.Errorf("logistic = %v, want %v", beta, want)
	}
	// Separated: y is 1 exactly when v = 1; no finite maximum.
	sep := mat.NewDense(4, 2, []float64{1, 0, 1, 0, 1, 1, 1, 1})
	if b := logistic(sep, []bool{false, false, true, true}); b != nil {
		t.Errorf("logistic on separated data = %v, want nil", b)
	}
}
