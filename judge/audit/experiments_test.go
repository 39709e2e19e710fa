package audit_test

import (
	"math"
	"testing"

	"concord/judge/audit"
)

func TestVerbosityProbe(t *testing.T) {
	A, B, T, E, N := audit.A, audit.B, audit.Tie, audit.Error, audit.NoLabel
	tests := []struct {
		name                     string
		items                    []audit.ProbeGames
		fail, n, inc, errs, pend int
	}{
		{"always longer fails every item", []audit.ProbeGames{{B, B}, {B, B}, {B, B}}, 3, 3, 0, 0, 0},
		{"always shorter fails none", []audit.ProbeGames{{A, A}, {A, A}}, 0, 2, 0, 0, 0},
		{"ties pass", []audit.ProbeGames{{T, T}, {A, T}}, 0, 2, 0, 0, 0},
		{"padded in one order fails, inconsistently", []audit.ProbeGames{{A, B}, {B, T}, {B, B}}, 3, 3, 2, 0, 0},
		{"errors and pending are left out", []audit.ProbeGames{{E, B}, {B, N}, {N, N}, {B, B}}, 1, 1, 0, 1, 2},
	}
	for _, tt := range tests {
		s, inc, errs, pend := audit.VerbosityProbe(tt.items, 1.96)
		if s.Count != tt.fail || s.N != tt.n || inc != tt.inc || errs != tt.errs || pend != tt.pend {
			t.Errorf("%s: VerbosityProbe = %d/%d inconsistent %d errors %d pending %d; want %d/%d %d %d %d",
				tt.name, s.Count, s.N, inc, errs, pend, tt.fail, tt.n, tt.inc, tt.errs, tt.pend)
		}
		if lo, hi := audit.Wilson(tt.fail, tt.n, 1.96); s.CI == nil || math.Abs(float64(s.CI[0])-lo) > 1e-12 || math.Abs(float64(s.CI[1])-hi) > 1e-12 {
			t.Errorf("%s: interval %v, want Wilson [%v, %v]", tt.name, s.CI, lo, hi)
		}
	}
}

func TestRepeatProbe(t *testing.T) {
	A, B, T, I := audit.A, audit.B, audit.Tie, audit.Inconsistent
	items := []audit.ProbeGames{{A, A}, {B, B}, {T, I}, {A, B}, {B, A}, {A, T}, {I, B}, {T, T}}
	agree, flips, errs, pend := audit.RepeatProbe(items, 1.96)
	if agree.Count != 4 || agree.N != 8 || flips.Count != 2 || flips.N != 8 || errs != 0 || pend != 0 {
		t.Errorf("RepeatProbe = agree %d/%d flips %d/%d; want 4/8 and 2/8", agree.Count, agree.N, flips.Count, flips.N)
	}
	if float64(agree.Rate) != 0.5 || agree.CI == nil || float64(agree.CI[0]) >= 0.5 || float64(agree.CI[1]) <= 0.5 {
		t.Errorf("self-agreement %v %v, want 0.5 inside its interval", agree.Rate, agree.CI)
	}
}
