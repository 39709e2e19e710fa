package audit_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"concord/judge/audit"
)

// Ratings read as verdicts are compared with each human vote (with ties and
// without) and once per unit with the pairwise judge, as STATS.md section 2.
func TestScoresAgreementCounts(t *testing.T) {
	ratings := []audit.Rating{
		{Judge: "j", Question: 1, Category: "math", Model: "a", Turn: 1, Score: 8},
		{Judge: "j", Question: 1, Category: "math", Model: "b", Turn: 1, Score: 5},
		{Judge: "j", Question: 2, Category: "math", Model: "a", Turn: 1, Score: 6},
		{Judge: "j", Question: 2, Category: "math", Model: "b", Turn: 1, Score: 6},
		{Judge: "j", Question: 3, Category: "math", Model: "a", Turn: 1, Score: math.NaN()}, // an error: unit left out
		{Judge: "j", Question: 3, Category: "math", Model: "b", Turn: 1, Score: 6},
	}
	vote := func(q int, ma, mb string, l audit.Label, who string) audit.HumanVote {
		return audit.HumanVote{Question: q, Category: "math", ModelA: ma, ModelB: mb, Turn: 1, Choice: l, Annotator: who, Group: "expert"}
	}
	votes := []audit.HumanVote{
		vote(1, "a", "b", audit.A, "h1"),   // agrees
		vote(1, "b", "a", audit.A, "h2"),   // b won: disagrees
		vote(1, "a", "b", audit.Tie, "h3"), // with ties only: disagrees
		vote(2, "a", "b", audit.Tie, "h1"), // tie = tie: agrees, with ties only
		vote(3, "a", "b", audit.A, "h1"),   // the error unit: not compared
	}
	verdicts := []audit.JudgeVerdict{
		{Judge: "j", Question: 1, Category: "math", ModelA: "a", ModelB: "b", Turn: 1, G1: audit.A, G2: audit.A},
		{Judge: "j", Question: 2, Category: "math", ModelA: "b", ModelB: "a", Turn: 1, G1: audit.A, G2: audit.B}, // inconsistent = tie: agrees
	}
	opt := audit.DefaultOptions()
	opt.Bootstrap = -1
	s := audit.ComputeScores(ratings, votes, verdicts, opt)
	if s == nil || len(s.Judges) != 1 {
		t.Fatalf("ComputeScores = %+v, want one judge", s)
	}
	j := s.Judges[0]
	got := map[string]string{}
	for _, a := range j.Agreement {
		got[a.Versus] = fmt.Sprintf("%d/%d %d/%d", a.WithTies.Agree, a.WithTies.N, a.WithoutTies.Agree, a.WithoutTies.N)
	}
	want := map[string]string{"human": "2/4 1/2", "j": "2/2 1/1"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("agreement = %v, want %v", got, want)
	}
	if j.Errors != 1 || j.Ratings != 6 {
		t.Errorf("ratings %d, errors %d; want 6 and 1", j.Ratings, j.Errors)
	}
	if h := j.Histograms; len(h) != 2 || h[0].Model != "a" || h[0].Counts[7] != 1 || h[0].Counts[5] != 1 || h[1].Counts[5] != 2 || h[1].Counts[4] != 1 {
		t.Errorf("histograms = %+v, want a: one 8 and one 6; b: two 6s and one 5", h)
	}
}

// The close call of a pair sets the three modes side by side.
func TestScoresCloseCallStatus(t *testing.T) {
	const Q = 40
	tests := []struct {
		name       string
		human      func(q int) audit.Label // humans' vote on (a, b)
		judge      audit.Label
		aAbove     bool // a's rating above b's on every question
		wantStatus string
		wantMore   bool
	}{
		{"all three say a", func(int) audit.Label { return audit.A }, audit.A, true, audit.ModesAgree, false},
		{"humans say b", func(int) audit.Label { return audit.B }, audit.A, true, audit.ModesDisagree, true},
		{"humans split", func(q int) audit.Label { return []audit.Label{audit.A, audit.B}[q%2] }, audit.A, true, audit.ModesUncertain, false},
		{"scores tied", func(int) audit.Label { return audit.A }, audit.A, false, audit.ModesUncertain, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ratings []audit.Rating
			var votes []audit.HumanVote
			var verdicts []audit.JudgeVerdict
			for q := 1; q <= Q; q++ {
				sa := 5.0
				if tt.aAbove {
					sa = 7 + float64(q%3)
				}
				ratings = append(ratings, audit.Rating{Judge: "j", Question: q, Category: "c", Model: "a", Turn: 1, Score: sa},
					audit.Rating{Judge: "j", Question: q, Category: "c", Model: "b", Turn: 1, Score: 5})
				votes = append(votes, audit.HumanVote{Question: q, Category: "c", ModelA: "a", ModelB: "b", Turn: 1, Choice: tt.human(q), Annotator: "h", Group: "expert"})
				verdicts = append(verdicts, audit.JudgeVerdict{Judge: "j", Question: q, Category: "c", ModelA: "a", ModelB: "b", Turn: 1, G1: tt.judge, G2: tt.judge})
			}
			opt := audit.DefaultOptions()
			opt.Bootstrap = 200
			cc := audit.ComputeScores(ratings, votes, verdicts, opt).Judges[0].CloseCalls
			if len(cc) != 1 {
				t.Fatalf("close calls = %d, want 1", len(cc))
			}
			c := cc[0]
			if c.Status != tt.wantStatus || c.Votes != Q || c.JudgeVerdicts != Q {
				t.Errorf("close call = %s with %d votes, %d verdicts; want %s with %d of each", c.Status, c.Votes, c.JudgeVerdicts, tt.wantStatus, Q)
			}
			if (c.FurtherVotes != nil) != (tt.wantMore || c.Status == audit.ModesUncertain && c.HumanWinRate.Value != 0.5) {
				t.Errorf("further votes = %v for status %s at human rate %v", c.FurtherVotes, c.Status, c.HumanWinRate.Value)
			}
			if c.Status == audit.ModesAgree && c.FurtherVotes != nil {
				t.Errorf("a pair all modes agree on asks for %d more votes", *c.FurtherVotes)
			}
		})
	}
}

// The leaderboard is ordered by score, ranks are 1..n, the differences are
// "upper minus lower" and non-separable neighbours are named in words.
func TestScoresLeaderboard(t *testing.T) {
	var ratings []audit.Rating
	for q := 1; q <= 30; q++ {
		for m, base := range map[string]float64{"low": 2, "mid": 6, "mid2": 6, "top": 9} {
			s := base
			if m == "mid2" && q%2 == 0 {
				s = 7 // mid2 = 6.5 on average, close to mid
			}
			if m == "mid" && q%3 == 0 {
				s = 7
			}
			ratings = append(ratings, audit.Rating{Judge: "j", Question: q, Category: []string{"x", "y"}[q%2], Model: m, Turn: 1 + q%2, Score: s})
		}
	}
	opt := audit.DefaultOptions()
	opt.Bootstrap = 300
	j := audit.ComputeScores(ratings, nil, nil, opt).Judges[0]
	var order []string
	for i, r := range j.Leaderboard {
		order = append(order, r.Model)
		if r.Rank != i+1 {
			t.Errorf("%s rank %d, want %d", r.Model, r.Rank, i+1)
		}
	}
	if got := strings.Join(order, " "); got != "top mid2 mid low" {
		t.Errorf("leaderboard = %s, want top mid2 mid low", got)
	}
	for _, d := range j.Differences {
		if d.Diff < 0 {
			t.Errorf("difference %s - %s = %v, want the upper model first", d.A, d.B, d.Diff)
		}
	}
	if len(j.Separability) != 1 || !strings.Contains(j.Separability[0], "mid2 (#2) and mid (#3) are not separable") {
		t.Errorf("separability = %q, want mid2 and mid named as not separable", j.Separability)
	}
	if s := j.Leaderboard[0].SeparableFromNext; s == nil || !*s {
		t.Errorf("top separable from next = %v, want true", s)
	}
	if len(j.Categories) != 2 || len(j.Leaderboard[0].ByCategory) != 2 || len(j.Leaderboard[0].ByTurn) != 2 {
		t.Errorf("categories %v, by category %d, by turn %d; want 2, 2, 2", j.Categories, len(j.Leaderboard[0].ByCategory), len(j.Leaderboard[0].ByTurn))
	}
	if audit.ComputeScores(nil, nil, nil, opt) != nil {
		t.Error("ComputeScores(no ratings) != nil")
	}
}
