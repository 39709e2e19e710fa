package audit_test

import (
	"testing"

	"concord/judge/audit"
)

// TestBootstrapOption checks the one meaning of Options.Bootstrap: zero takes
// the default of 1,000 resamples, a negative count turns the intervals off.
func TestBootstrapOption(t *testing.T) {
	votes, verdicts := randomData(3, 12, 200)
	tests := []struct {
		bootstrap     int
		wantResamples int
		wantCI        bool
	}{
		{0, 1000, true},
		{25, 25, true},
		{-1, 0, false},
	}
	for _, tt := range tests {
		r := audit.Compute(votes, verdicts, audit.Options{Bootstrap: tt.bootstrap, Seed: 3})
		if r.Bootstrap != tt.wantResamples {
			t.Errorf("Compute(Bootstrap: %d).Bootstrap = %d, want %d", tt.bootstrap, r.Bootstrap, tt.wantResamples)
		}
		a := r.Agreement[0]
		if got := a.WithTies.CI != nil; got != tt.wantCI {
			t.Errorf("Compute(Bootstrap: %d): agreement interval present = %v, want %v", tt.bootstrap, got, tt.wantCI)
		}
	}
}
