package app

import (
	"testing"

	"concord/judge/audit"
)

// The human and judge leaderboards share one rating axis.
func TestRatingAxis(t *testing.T) {
	ms := func(vals ...float64) *audit.ModelSource {
		src := &audit.ModelSource{}
		for _, v := range vals {
			src.Models = append(src.Models, &audit.ModelStat{Rating: &audit.Estimate{Value: audit.Num(v), CI: &audit.Interval{audit.Num(v - 30), audit.Num(v + 30)}}})
		}
		return src
	}
	cases := []struct {
		sources []*audit.ModelSource
		want    [2]float64
	}{
		{[]*audit.ModelSource{ms(1100, 900), ms(1250, 800)}, [2]float64{750, 1300}},
		{[]*audit.ModelSource{ms(1100, 900)}, [2]float64{850, 1150}},
		{[]*audit.ModelSource{{}}, [2]float64{950, 1050}},
		{nil, [2]float64{950, 1050}},
	}
	for _, c := range cases {
		if got := ratingAxis(c.sources); got != c.want {
			t.Errorf("ratingAxis(%d sources) = %v, want %v", len(c.sources), got, c.want)
		}
	}
}

func TestNaturalCompare(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{
		{"expert_2", "expert_10", -1},
		{"expert_10", "expert_2", 1},
		{"expert_02", "expert_2", 0},
		{"a", "b", -1},
		{"expert_1", "expert_1b", -1},
		{"x9y", "x10a", -1},
		{"", "a", -1},
	}
	for _, c := range cases {
		if got := naturalCompare(c.a, c.b); got != c.want {
			t.Errorf("naturalCompare(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}
