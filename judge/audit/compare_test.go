package audit_test

import (
	"fmt"
	"math"
	"testing"

	"concord/judge/audit"
)

func TestMcNemarExact(t *testing.T) {
	for _, tc := range []struct {
		b, c int
		want float64
	}{
		{0, 0, 1},
		{0, 5, 2.0 / 32},
		{5, 0, 2.0 / 32},
		{1, 9, 2 * 11.0 / 1024},
		{2, 12, 2 * 106.0 / 16384},
		{10, 10, 1},
		{3, 2, 1},
	} {
		if got := audit.McNemarExact(tc.b, tc.c); math.Abs(got-tc.want) > 1e-12*math.Max(1, tc.want) {
			t.Errorf("McNemarExact(%d, %d) = %v, want %v", tc.b, tc.c, got, tc.want)
		}
	}
}

// judgeVsJudge: four units on four questions; judge y's verdict on q1 is
// given in the reversed order, and x's on q4 is an error.
func judgeVsJudge() ([]audit.HumanVote, []audit.JudgeVerdict) {
	hv := func(q int, l audit.Label, ann string) audit.HumanVote {
		return audit.HumanVote{Question: q, ModelA: "m1", ModelB: "m2", Turn: 1, Choice: l, Annotator: ann}
	}
	votes := []audit.HumanVote{
		hv(1, audit.A, "h1"), hv(1, audit.A, "h2"), hv(1, audit.B, "h3"),
		hv(2, audit.BothBad, "h1"),
		{Question: 3, ModelA: "m2", ModelB: "m1", Turn: 1, Choice: audit.A, Annotator: "h1"}, // B in canonical order
		hv(4, audit.A, "h1"),
	}
	jv := func(j string, q int, g1, g2, comb audit.Label) audit.JudgeVerdict {
		return audit.JudgeVerdict{Judge: j, Question: q, ModelA: "m1", ModelB: "m2", Turn: 1, G1: g1, G2: g2, Combined: comb}
	}
	verdicts := []audit.JudgeVerdict{
		jv("x", 1, audit.A, audit.A, audit.NoLabel),
		{Judge: "y", Question: 1, ModelA: "m2", ModelB: "m1", Turn: 1, G1: audit.A, G2: audit.A}, // m2 won both: B
		jv("x", 2, audit.NoLabel, audit.NoLabel, audit.A),
		jv("y", 2, audit.NoLabel, audit.NoLabel, audit.Tie),
		jv("x", 3, audit.B, audit.B, audit.NoLabel),
		jv("y", 3, audit.A, audit.B, audit.NoLabel), // inconsistent, first position won both
		jv("x", 4, audit.Error, audit.A, audit.NoLabel),
		jv("y", 4, audit.A, audit.A, audit.NoLabel),
		jv("z", 1, audit.A, audit.A, audit.NoLabel),
	}
	return votes, verdicts
}

func TestCompareJudges(t *testing.T) {
	votes, verdicts := judgeVsJudge()
	c, err := audit.CompareJudges(votes, verdicts, "x", "y", audit.Options{Bootstrap: 200})
	if err != nil {
		t.Fatal(err)
	}
	// Comparisons with ties: q1 x 2/3, y 1/3; q2 x 0/1, y 1/1; q3 x 1/1, y 0/1.
	for _, tc := range []struct {
		name     string
		got      audit.Rate
		agree, n int
		wantRate float64
	}{
		{"x with ties", c.X.WithTies, 3, 5, 0.6},
		{"x without ties", c.X.WithoutTies, 3, 4, 0.75},
		{"y with ties", c.Y.WithTies, 2, 5, 0.4},
		{"y without ties", c.Y.WithoutTies, 1, 3, 1.0 / 3},
	} {
		if tc.got.Agree != tc.agree || tc.got.N != tc.n || !near(float64(tc.got.Rate), tc.wantRate) {
			t.Errorf("%s = %d/%d (%v), want %d/%d (%v)", tc.name, tc.got.Agree, tc.got.N, tc.got.Rate, tc.agree, tc.n, tc.wantRate)
		}
		if tc.got.CI == nil || tc.got.CI[0] > tc.got.Rate || tc.got.CI[1] < tc.got.Rate {
			t.Errorf("%s interval %v does not hold %v", tc.name, tc.got.CI, tc.got.Rate)
		}
	}
	for _, tc := range []struct {
		name string
		got  audit.Share
		k, n int
	}{{"x consistency", c.X.Consistency, 2, 2}, {"y consistency", c.Y.Consistency, 1, 2}} {
		if tc.got.Count != tc.k || tc.got.N != tc.n {
			t.Errorf("%s = %d/%d, want %d/%d", tc.name, tc.got.Count, tc.got.N, tc.k, tc.n)
		}
	}
	if !near(float64(c.DiffWith.Value), 0.2) || !near(float64(c.DiffWithout.Value), 0.75-1.0/3) {
		t.Errorf("differences = %v, %v, want 0.2, %v", c.DiffWith.Value, c.DiffWithout.Value, 0.75-1.0/3)
	}
	if c.McNemar.B != 3 || c.McNemar.C != 2 || !near(float64(c.McNemar.P), 1) {
		t.Errorf("McNemar = %+v, want b=3 c=2 p=1", c.McNemar)
	}
	if c.Units != 3 || c.Errors != 1 || c.HumanUnits != 3 || c.Questions != 3 {
		t.Errorf("units %d, errors %d, human units %d, questions %d, want 3, 1, 3, 3", c.Units, c.Errors, c.HumanUnits, c.Questions)
	}
	// Swapping the judges mirrors everything.
	r, err := audit.CompareJudges(votes, verdicts, "y", "x", audit.Options{Bootstrap: 200})
	if err != nil {
		t.Fatal(err)
	}
	if r.McNemar.B != c.McNemar.C || r.McNemar.C != c.McNemar.B || !near(float64(r.DiffWith.Value), -0.2) {
		t.Errorf("CompareJudges(y, x) = %+v, %v: not the mirror of (x, y)", r.McNemar, r.DiffWith.Value)
	}
	if (*r.DiffWith.CI)[0] != -(*c.DiffWith.CI)[1] {
		t.Errorf("CompareJudges(y, x) interval %v, want the mirror of %v", *r.DiffWith.CI, *c.DiffWith.CI)
	}
}

func TestCompareJudgesErrors(t *testing.T) {
	votes, verdicts := judgeVsJudge()
	for _, tc := range []struct{ x, y string }{{"x", "x"}, {"x", "nobody"}, {"nobody", "y"}} {
		if _, err := audit.CompareJudges(votes, verdicts, tc.x, tc.y, audit.Options{}); err == nil {
			t.Errorf("CompareJudges(%q, %q) = nil error, want one", tc.x, tc.y)
		}
	}
}

func ExampleMcNemarExact() {
	// Of the comparisons where exactly one judge agrees with the human, judge
	// X is the one 2 times and judge Y 12 times.
	fmt.Printf("%.4f\n", audit.McNemarExact(2, 12))
	// Output: 0.0129
}
