package audit_test

import (
	"encoding/json"
	"math"
	"os"
	"strings"
	"testing"

	"concord/judge/audit"
)

// annotatorCase: three annotators on the pair (x, y); q4 is a gold item (x
// better); h1 votes twice on q1 (the second is ignored).
func annotatorCase() ([]audit.HumanVote, []audit.GoldItem) {
	v := func(q int, l audit.Label, ann, left string, ms int64) audit.HumanVote {
		return audit.HumanVote{Question: q, ModelA: "x", ModelB: "y", Turn: 1, Choice: l, Annotator: ann, Left: left, TimeMS: ms}
	}
	votes := []audit.HumanVote{
		v(1, audit.A, "h1", "x", 2000), v(1, audit.A, "h2", "", 20000),
		{Question: 1, ModelA: "y", ModelB: "x", Turn: 1, Choice: audit.A, Annotator: "h3"}, // B in (x, y) order
		v(1, audit.B, "h1", "", 0),
		v(2, audit.BothBad, "h1", "y", 4000), v(2, audit.A, "h2", "", 20000), v(2, audit.A, "h3", "", 0),
		v(3, audit.B, "h1", "x", 3000), v(3, audit.A, "h2", "", 20000),
		v(4, audit.A, "h1", "", 0), v(4, audit.Tie, "h2", "", 0), v(4, audit.B, "h3", "", 0),
	}
	return votes, []audit.GoldItem{{Question: 4, ModelA: "y", ModelB: "x", Turn: 1, Better: "x"}}
}

func TestAuditAnnotators(t *testing.T) {
	votes, gold := annotatorCase()
	res, err := audit.AuditAnnotators(votes, gold, audit.Thresholds{MinGold: 1, MinKappaUnits: 2}, audit.Options{Bootstrap: 100})
	if err != nil {
		t.Fatal(err)
	}
	for i, tc := range []struct {
		name                   string
		votes                  int
		score, n, scoreNT, nNT float64
		gold                   [2]int
		left                   [2]int // count, n; n = 0 means no left figure
		median                 float64
		flags                  []string
	}{
		{"h1", 4, 0.5, 3, 0.5, 2, [2]int{1, 1}, [2]int{1, 2}, 3000, []string{"median time"}},
		{"h2", 4, 1, 3, 1.5, 3, [2]int{0, 1}, [2]int{}, 20000, []string{"gold accuracy 0/1"}},
		{"h3", 3, 0.5, 2, 1, 2, [2]int{0, 1}, [2]int{}, math.NaN(), []string{"gold accuracy 0/1"}},
	} {
		st := res.Annotators[i]
		if st.Annotator != tc.name || st.Votes != tc.votes {
			t.Errorf("annotator %d = %s with %d votes, want %s with %d", i, st.Annotator, st.Votes, tc.name, tc.votes)
		}
		if !near(float64(st.Agreement.Score), tc.score) || st.Agreement.N != int(tc.n) || !near(float64(st.AgreementNT.Score), tc.scoreNT) || st.AgreementNT.N != int(tc.nNT) {
			t.Errorf("%s agreement = %v/%d, without ties %v/%d, want %v/%v, %v/%v", tc.name, st.Agreement.Score, st.Agreement.N, st.AgreementNT.Score, st.AgreementNT.N, tc.score, tc.n, tc.scoreNT, tc.nNT)
		}
		if ci := st.Agreement.CI; ci == nil || ci[0] > st.Agreement.Rate || ci[1] < st.Agreement.Rate {
			t.Errorf("%s agreement interval %v does not hold %v", tc.name, ci, st.Agreement.Rate)
		}
		if st.Gold == nil || st.Gold.Count != tc.gold[0] || st.Gold.N != tc.gold[1] {
			t.Errorf("%s gold = %+v, want %d/%d", tc.name, st.Gold, tc.gold[0], tc.gold[1])
		}
		if tc.left[1] == 0 && st.Left != nil || tc.left[1] > 0 && (st.Left == nil || st.Left.Count != tc.left[0] || st.Left.N != tc.left[1]) {
			t.Errorf("%s left = %+v, want %d/%d", tc.name, st.Left, tc.left[0], tc.left[1])
		}
		if !(math.IsNaN(tc.median) && !st.MedianTimeMS.Valid() || near(float64(st.MedianTimeMS), tc.median)) {
			t.Errorf("%s median time = %v, want %v", tc.name, st.MedianTimeMS, tc.median)
		}
		if len(st.Flags) != len(tc.flags) {
			t.Errorf("%s flags = %q, want %d starting %q", tc.name, st.Flags, len(tc.flags), tc.flags)
			continue
		}
		for k, f := range tc.flags {
			if !strings.HasPrefix(st.Flags[k], f) {
				t.Errorf("%s flag %d = %q, want it to start %q", tc.name, k, st.Flags[k], f)
			}
		}
	}
	// Kappa over shared units: h1-h2 (A,A) (T,A) (B,A); h1-h3 (A,B) (T,A); h2-h3 (A,B) (A,A).
	want := [3][3]float64{{math.NaN(), 0, -1.0 / 3}, {0, math.NaN(), 0}, {-1.0 / 3, 0, math.NaN()}}
	shared := [3][3]int{{3, 3, 2}, {3, 3, 2}, {2, 2, 2}}
	for i := range 3 {
		for j := range 3 {
			got := res.Kappa.Kappa[i][j]
			if !(math.IsNaN(want[i][j]) && !got.Valid() || near(float64(got), want[i][j])) || res.Kappa.Shared[i][j] != shared[i][j] {
				t.Errorf("kappa[%d][%d] = %v over %d, want %v over %d", i, j, got, res.Kappa.Shared[i][j], want[i][j], shared[i][j])
			}
		}
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0].Message, "1 repeated vote") {
		t.Errorf("warnings = %v, want one on the repeated vote", res.Warnings)
	}
	// Default thresholds: kappa blank below 10 shared units, no gold flag below 5 items.
	res, err = audit.AuditAnnotators(votes, gold, audit.Thresholds{}, audit.Options{Bootstrap: -1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Kappa.Kappa[0][1].Valid() || len(res.Annotators[1].Flags) != 0 || res.Annotators[0].Agreement.CI != nil {
		t.Errorf("default thresholds: kappa %v, h2 flags %q, interval %v; want blank, none, none", res.Kappa.Kappa[0][1], res.Annotators[1].Flags, res.Annotators[0].Agreement.CI)
	}
}

func TestAuditAnnotatorsFlags(t *testing.T) {
	var votes []audit.HumanVote
	for q := range 30 {
		left, lefty, contrary, fair := "x", audit.A, audit.B, audit.A
		if q%2 == 1 {
			left, lefty, contrary = "y", audit.B, audit.A
		}
		votes = append(votes,
			audit.HumanVote{Question: q, ModelA: "x", ModelB: "y", Choice: lefty, Annotator: "lefty", Left: left, TimeMS: 60000},
			audit.HumanVote{Question: q, ModelA: "x", ModelB: "y", Choice: fair, Annotator: "fair", Left: left, TimeMS: 60000},
			audit.HumanVote{Question: q, ModelA: "x", ModelB: "y", Choice: contrary, Annotator: "contrary", Left: left, TimeMS: 60000},
		)
	}
	res, err := audit.AuditAnnotators(votes, nil, audit.Thresholds{}, audit.Options{Bootstrap: -1})
	if err != nil {
		t.Fatal(err)
	}
	for i, tc := range []struct {
		name  string
		flags []string
	}{
		// lefty and contrary always differ: each agrees with the others' plurality 1/4 of the time.
		{"contrary", []string{"0 of 30 non-tie votes went to the left", "agreement with the other annotators 0.25"}},
		{"fair", nil},
		{"lefty", []string{"30 of 30 non-tie votes went to the left", "agreement with the other annotators 0.25"}},
	} {
		st := res.Annotators[i]
		if st.Annotator != tc.name || len(st.Flags) != len(tc.flags) {
			t.Errorf("%s flags = %q, want %q", st.Annotator, st.Flags, tc.flags)
			continue
		}
		for k, f := range tc.flags {
			if !strings.HasPrefix(st.Flags[k], f) {
				t.Errorf("%s flag %d = %q, want it to start %q", st.Annotator, k, st.Flags[k], f)
			}
		}
	}
	if _, err := audit.AuditAnnotators(votes, []audit.GoldItem{{Question: 1, ModelA: "x", ModelB: "y", Better: "z"}}, audit.Thresholds{}, audit.Options{}); err == nil {
		t.Error("AuditAnnotators with a gold item naming neither model = nil error, want one")
	}
}

// TestAnnotatorsPandaLM reproduces PandaLM's published pairwise kappas and
// checks leave-one-out agreement against a direct count.
func TestAnnotatorsPandaLM(t *testing.T) {
	path := needData(t, "pandalm/testset-v1.json")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var items []struct {
		Idx                                int
		Annotator1, Annotator2, Annotator3 int
	}
	if err := json.Unmarshal(b, &items); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	labels := []audit.Label{audit.Tie, audit.A, audit.B} // PandaLM: 0 tie, 1 response1, 2 response2
	var votes []audit.HumanVote
	for _, it := range items {
		for k, l := range []int{it.Annotator1, it.Annotator2, it.Annotator3} {
			votes = append(votes, audit.HumanVote{Question: it.Idx, ModelA: "response1", ModelB: "response2", Choice: labels[l], Annotator: "annotator" + string(rune('1'+k))})
		}
	}
	res, err := audit.AuditAnnotators(votes, nil, audit.Thresholds{}, audit.Options{Bootstrap: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		i, j int
		want float64
	}{{0, 1, 0.85}, {0, 2, 0.88}, {1, 2, 0.86}} {
		got := float64(res.Kappa.Kappa[tc.i][tc.j])
		if math.Round(got*100)/100 != tc.want || res.Kappa.Shared[tc.i][tc.j] != len(items) {
			t.Errorf("kappa(annotator%d, annotator%d) = %.4f over %d, want %.2f over %d", tc.i+1, tc.j+1, got, res.Kappa.Shared[tc.i][tc.j], tc.want, len(items))
		}
	}
	// Direct count: with two others, their plurality is their common vote, or
	// both when they differ (1/2 each).
	for a, st := range res.Annotators {
		var score float64
		for _, it := range items {
			l := []int{it.Annotator1, it.Annotator2, it.Annotator3}
			o := []int{l[(a+1)%3], l[(a+2)%3]}
			switch {
			case o[0] == o[1] && l[a] == o[0]:
				score++
			case o[0] != o[1] && (l[a] == o[0] || l[a] == o[1]):
				score += 0.5
			}
		}
		if !near(float64(st.Agreement.Score), score) || st.Agreement.N != len(items) || len(st.Flags) != 0 {
			t.Errorf("%s agreement = %v/%d, flags %q, want %v/%d and none", st.Annotator, st.Agreement.Score, st.Agreement.N, st.Flags, score, len(items))
		}
	}
}
