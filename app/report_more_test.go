package app

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"concord/store"
	"concord/store/storetest"
)

// "Annotate more" from a close call makes a study of exactly the pair's units
// in the report's scope, under a default name made unique.
func TestAnnotateMoreCloseCall(t *testing.T) {
	s := storetest.MustOpenDemo(t)
	ctx := context.Background()
	r, err := buildReport(ctx, s, ReportOptions{Turn: 1, Bootstrap: -1})
	if err != nil {
		t.Fatal(err)
	}
	// The demo data may have no close call; any pair of the report behaves the same.
	var pair [2]string
	switch {
	case len(r.CloseCalls) > 0:
		pair = r.CloseCalls[0].Pair
	case len(r.Agreement) > 0 && len(r.Agreement[0].ByPair) > 0:
		pair = *r.Agreement[0].ByPair[0].Pair
	default:
		t.Fatal("the demo report has no model pair")
	}
	// Expected units: every turn-1 unit of the pair with a vote or a verdict.
	want := map[unitKey]bool{}
	votes, _ := s.Votes(ctx, "")
	for _, v := range votes {
		if k, _ := canonical(v.QuestionID, v.ModelA, v.ModelB, v.Turn); k.a == pair[0] && k.b == pair[1] && k.turn == 1 {
			want[k] = true
		}
	}
	verdicts, _ := s.Verdicts(ctx, r.Judges[0])
	for _, v := range verdicts {
		if k, _ := canonical(v.QuestionID, v.Model1, v.Model2, v.Turn); k.a == pair[0] && k.b == pair[1] && k.turn == 1 {
			want[k] = true
		}
	}
	a := New(s)
	st, err := a.AnnotateMore(AnnotateMoreRequest{Pair: [2]string{pair[1], pair[0]}, Turn: 1})
	if err != nil {
		t.Fatalf("AnnotateMore(close call %v) = %v", pair, err)
	}
	wantName := fmt.Sprintf("More votes: %s vs %s, turn 1", pair[0], pair[1])
	if st.Name != wantName || st.Units != len(want) || st.Instructions == "" {
		t.Errorf("study = %q with %d units, want %q with %d units and instructions", st.Name, st.Units, wantName, len(want))
	}
	items, err := s.StudyItems(ctx, st.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		for _, turn := range it.Turns {
			if k := (unitKey{it.QuestionID, it.ModelA, it.ModelB, turn}); !want[k] {
				t.Errorf("study item %+v turn %d is not a unit of the close call", it, turn)
			}
		}
	}
	again, err := a.AnnotateMore(AnnotateMoreRequest{Pair: pair, Turn: 1})
	if err != nil || again.Name != wantName+" (2)" {
		t.Errorf("second AnnotateMore = %v, %v; want a study named %q", again, err, wantName+" (2)")
	}
	for _, bad := range []AnnotateMoreRequest{
		{Pair: [2]string{pair[0], pair[0]}},
		{Pair: [2]string{pair[0], "no-such-model"}},
		{Pair: pair, Turn: 3},
		{Pair: pair, Judge: "no-such-judge"},
	} {
		if st, err := a.AnnotateMore(bad); err == nil || !strings.HasPrefix(err.Error(), "annotate more: ") {
			t.Errorf("AnnotateMore(%+v) = %v, %v; want an annotate-more error", bad, st, err)
		}
	}
}

// "Annotate more" from a disagreement list makes a study of exactly the listed units.
func TestAnnotateMoreDisagreements(t *testing.T) {
	s := storetest.MustOpenDemo(t)
	ctx := context.Background()
	units, err := disagreements(ctx, s, DisagreementFilter{Turn: 2})
	if err != nil || len(units) < 2 {
		t.Fatalf("disagreements = %d, %v; want at least 2", len(units), err)
	}
	units = units[:2]
	var req AnnotateMoreRequest
	req.Label = "demo disagreements, turn 2"
	for _, u := range units {
		req.Units = append(req.Units, store.StudyUnit{QuestionID: u.QuestionID, ModelA: u.ModelB, ModelB: u.ModelA, Turn: u.Turn})
	}
	st, err := New(s).AnnotateMore(req)
	if err != nil {
		t.Fatal(err)
	}
	if st.Name != "More votes: demo disagreements, turn 2" || st.Units != 2 {
		t.Errorf("study = %q with %d units, want the label's name with 2 units", st.Name, st.Units)
	}
	items, _ := s.StudyItems(ctx, st.ID)
	var got, want []string
	for _, it := range items {
		for _, turn := range it.Turns {
			got = append(got, fmt.Sprint(it.QuestionID, it.ModelA, it.ModelB, turn))
		}
	}
	for _, u := range units {
		want = append(want, fmt.Sprint(u.QuestionID, u.ModelA, u.ModelB, u.Turn))
	}
	if strings.Join(sorted(got), "|") != strings.Join(sorted(want), "|") {
		t.Errorf("study units = %v, want %v", got, want)
	}
	named, err := New(s).AnnotateMore(AnnotateMoreRequest{Name: "mine", Units: req.Units})
	if err != nil || named.Name != "mine" {
		t.Errorf("AnnotateMore(name mine) = %v, %v; want the given name", named, err)
	}
}

func sorted(xs []string) []string {
	out := slices.Clone(xs)
	slices.Sort(out)
	return out
}
