package audit_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"concord/judge/audit"
)

// Simulated pairs: every unit has a human outcome for model A (win 1 with
// probability 0.5, loss 0 with 0.3, tie 0.5 with 0.2: a true win rate of 0.6)
// and a judge outcome from one of these judges.
const simTruth = 0.6

func simHuman(r *rand.Rand) float64 {
	switch u := r.Float64(); {
	case u < 0.5:
		return 1
	case u < 0.8:
		return 0
	}
	return 0.5
}

func simRandom(r *rand.Rand) float64 { return [3]float64{0, 0.5, 1}[r.IntN(3)] }

var simJudges = []struct {
	name  string
	judge func(r *rand.Rand, y float64) float64
}{
	{"random", func(r *rand.Rand, _ float64) float64 { return simRandom(r) }},
	{"good", func(r *rand.Rand, y float64) float64 {
		if r.Float64() < 0.8 {
			return y
		}
		return simRandom(r)
	}},
	{"biased", func(r *rand.Rand, y float64) float64 { // favours model A: ties and 40% of losses become wins
		if y == 0.5 || y == 0 && r.Float64() < 0.4 {
			return 1
		}
		return y
	}},
}

// simulate draws N units of which the first n carry one human vote.
func simulate(r *rand.Rand, judge func(*rand.Rand, float64) float64, N, n int) (units, human, judged []float64) {
	units = make([]float64, N)
	for i := range N {
		y := simHuman(r)
		units[i] = judge(r, y)
		if i < n {
			human = append(human, y)
			judged = append(judged, units[i])
		}
	}
	return units, human, judged
}

// TestPPIMeanCoverage runs 1,000 seeded simulations per judge with the
// analytic variance (the bootstrap is tested in TestPPIWinRateSimulated), 200
// votes among 1,000 units. With 100 votes the biased judge's interval covers
// about 93% (its residuals Y - lambda f are skewed and lambda is tuned on the
// same votes: the normal interval is a large-sample one); with 200, 94-95%.
func TestPPIMeanCoverage(t *testing.T) {
	const sims, N, n = 1000, 1000, 200
	for ji, j := range simJudges {
		covered, sumEff, sumLambda := 0, 0.0, 0.0
		for s := range sims {
			r := rand.New(rand.NewPCG(uint64(ji), uint64(s)))
			units, human, judged := simulate(r, j.judge, N, n)
			e, err := audit.PPIMean(units, human, judged, 0.95)
			if err != nil {
				t.Fatal(err)
			}
			if e.PPI.CI[0] <= simTruth && simTruth <= e.PPI.CI[1] {
				covered++
			}
			if wp, wh := e.PPI.CI[1]-e.PPI.CI[0], e.HumanOnly.CI[1]-e.HumanOnly.CI[0]; wp > wh+1e-12 {
				t.Fatalf("%s judge, simulation %d: PPI interval width %v > human-only %v", j.name, s, wp, wh)
			}
			sumEff += float64(e.EffectiveVotes)
			sumLambda += float64(e.Lambda)
		}
		rate, eff, lambda := float64(covered)/sims, sumEff/sims, sumLambda/sims
		t.Logf("%s judge: coverage %.3f, mean effective votes %.1f of %d, mean lambda %.2f", j.name, rate, eff, n, lambda)
		if rate < 0.93 {
			t.Errorf("%s judge: 95%% PPI interval covers the truth in %.3f of %d simulations, want >= 0.93", j.name, rate, sims)
		}
		// A random judge is worth little more than the votes; a good one more than 1.5 times.
		if j.name == "random" && eff > 1.1*n || j.name == "good" && eff < 1.5*n {
			t.Errorf("%s judge: mean effective votes %.1f of %d", j.name, eff, n)
		}
	}
}

func TestPPIMeanErrors(t *testing.T) {
	for _, tc := range []struct {
		name                 string
		units, human, judged []float64
	}{
		{"mismatched", []float64{1, 0, 1}, []float64{1, 0}, []float64{1}},
		{"one vote", []float64{1, 0, 1}, []float64{1}, []float64{1}},
		{"one unit", []float64{1}, []float64{1, 0}, []float64{1, 1}},
	} {
		if _, err := audit.PPIMean(tc.units, tc.human, tc.judged, 0.95); err == nil {
			t.Errorf("PPIMean(%s) = nil error, want one", tc.name)
		}
	}
}

// simVotes turns a simulation into votes and verdicts of the pair (x, y),
// one unit per question, given in the order (y, x) for odd questions.
func simVotes(units, human []float64) ([]audit.HumanVote, []audit.JudgeVerdict) {
	lab := func(o float64, swap bool) audit.Label {
		l := map[float64]audit.Label{1: audit.A, 0: audit.B, 0.5: audit.Tie}[o]
		if swap && l != audit.Tie {
			l = map[audit.Label]audit.Label{audit.A: audit.B, audit.B: audit.A}[l]
		}
		return l
	}
	var votes []audit.HumanVote
	var verdicts []audit.JudgeVerdict
	for q, f := range units {
		a, b, swap := "x", "y", q%2 == 1
		if swap {
			a, b = b, a
		}
		verdicts = append(verdicts, audit.JudgeVerdict{Judge: "j", Question: q, ModelA: a, ModelB: b, Turn: 1, Combined: lab(f, swap)})
		if q < len(human) {
			votes = append(votes, audit.HumanVote{Question: q, ModelA: a, ModelB: b, Turn: 1, Choice: lab(human[q], swap), Annotator: "h"})
		}
	}
	return votes, verdicts
}

// TestPPIWinRateSimulated checks the question bootstrap on fewer, smaller
// simulations (200 resamples each).
func TestPPIWinRateSimulated(t *testing.T) {
	const sims, N, n = 100, 300, 60
	for ji, j := range simJudges {
		covered := 0
		for s := range sims {
			r := rand.New(rand.NewPCG(uint64(10+ji), uint64(s)))
			units, human, _ := simulate(r, j.judge, N, n)
			votes, verdicts := simVotes(units, human)
			p, err := audit.PPIWinRate(votes, verdicts, "j", "x", "y", audit.Options{Bootstrap: 200, Seed: uint64(s)})
			if err != nil {
				t.Fatal(err)
			}
			if p.Units != N || p.Votes != n || p.Questions != N {
				t.Fatalf("PPIWinRate: %d units, %d votes, %d questions, want %d, %d, %d", p.Units, p.Votes, p.Questions, N, n, N)
			}
			if p.PPI.CI[0] <= simTruth && simTruth <= p.PPI.CI[1] {
				covered++
			}
			if wp, wh := p.PPI.CI[1]-p.PPI.CI[0], p.HumanOnly.CI[1]-p.HumanOnly.CI[0]; wp > wh+1e-12 {
				t.Fatalf("%s judge, simulation %d: PPI interval width %v > human-only %v", j.name, s, wp, wh)
			}
			want := float64(p.HumanOnly.Value) + float64(p.Lambda)*(float64(p.JudgeOnly.Value)-mean(units[:n]))
			if !near(float64(p.PPI.Value), want) || !near(float64(p.HumanOnly.Value), mean(human)) || !near(float64(p.JudgeOnly.Value), mean(units)) {
				t.Fatalf("PPIWinRate = %v (human %v, judge %v), want %v (%v, %v)", p.PPI.Value, p.HumanOnly.Value, p.JudgeOnly.Value, want, mean(human), mean(units))
			}
			// The other order gives the loser's win rate.
			if s == 0 {
				q, err := audit.PPIWinRate(votes, verdicts, "j", "y", "x", audit.Options{Bootstrap: 200, Seed: uint64(s)})
				if err != nil {
					t.Fatal(err)
				}
				if !near(float64(q.PPI.Value), 1-float64(p.PPI.Value)) || !near(float64(q.PPI.SE), float64(p.PPI.SE)) {
					t.Errorf("PPIWinRate(y, x) = %v ± %v, want 1 - %v ± %v", q.PPI.Value, q.PPI.SE, p.PPI.Value, p.PPI.SE)
				}
			}
		}
		rate := float64(covered) / sims
		t.Logf("%s judge: bootstrap coverage %.2f", j.name, rate)
		if rate < 0.88 {
			t.Errorf("%s judge: bootstrap PPI interval covers the truth in %.2f of %d simulations, want >= 0.88", j.name, rate, sims)
		}
	}
}

func mean(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

func TestPPIWinRateErrors(t *testing.T) {
	votes, verdicts := simVotes([]float64{1, 0, 0.5}, []float64{1})
	for _, tc := range []struct{ judge, a, b string }{{"j", "x", "x"}, {"nobody", "x", "y"}, {"j", "x", "z"}} {
		if _, err := audit.PPIWinRate(votes, verdicts, tc.judge, tc.a, tc.b, audit.Options{}); err == nil {
			t.Errorf("PPIWinRate(%s, %s, %s) = nil error, want one", tc.judge, tc.a, tc.b)
		}
	}
	if _, err := audit.PPIWinRate(nil, verdicts, "j", "x", "y", audit.Options{}); err == nil {
		t.Error("PPIWinRate without votes = nil error, want one")
	}
}

func ExamplePPIMean() {
	// Ten units judged; humans voted on the first four. The judge agrees with
	// them except once (a tie it called a win).
	units := []float64{1, 0, 1, 1, 1, 0, 1, 0.5, 1, 0}
	human := []float64{1, 0, 0.5, 1}
	judged := units[:4]
	e, _ := audit.PPIMean(units, human, judged, 0.95)
	fmt.Printf("lambda %.2f\n", e.Lambda)
	fmt.Printf("human only %.3f ± %.3f\n", e.HumanOnly.Value, e.HumanOnly.SE)
	fmt.Printf("judge only %.3f\n", e.JudgeOnly.Value)
	fmt.Printf("PPI %.3f ± %.3f, worth %.1f votes\n", e.PPI.Value, e.PPI.SE, e.EffectiveVotes)
	// Output:
	// lambda 0.93
	// human only 0.625 ± 0.239
	// judge only 0.650
	// PPI 0.532 ± 0.168, worth 8.1 votes
}
