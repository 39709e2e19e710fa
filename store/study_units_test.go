package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"concord/store"
	"concord/store/storetest"
)

// A study of explicit units holds exactly those units: pairs canonical,
// turns of one (question, pair) merged, duplicates dropped, other spec
// fields ignored.
func TestCreateStudyExplicitUnits(t *testing.T) {
	s := storetest.MustOpenDemo(t)
	ctx := context.Background()
	units := []store.StudyUnit{
		{QuestionID: 9003, ModelA: "demo-cirrus", ModelB: "demo-aurora", Turn: 2},
		{QuestionID: 9001, ModelA: "demo-aurora", ModelB: "demo-basalt", Turn: 1},
		{QuestionID: 9003, ModelA: "demo-aurora", ModelB: "demo-cirrus", Turn: 1},
		{QuestionID: 9001, ModelA: "demo-basalt", ModelB: "demo-aurora", Turn: 1}, // duplicate, other order
	}
	st, err := s.CreateStudy(ctx, store.StudySpec{Name: "more votes", Units: units, Models: []string{"ignored"}, Sample: 1, Categories: []string{"nope"}, Seed: 3})
	if err != nil {
		t.Fatalf("CreateStudy(units) = %v", err)
	}
	if st.Items != 2 || st.Units != 3 {
		t.Errorf("study = %d items, %d units; want 2 items, 3 units", st.Items, st.Units)
	}
	items, err := s.StudyItems(ctx, st.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(items)
	want := fmt.Sprint([]store.StudyItem{
		{Pos: 0, QuestionID: 9001, ModelA: "demo-aurora", ModelB: "demo-basalt", Turns: []int{1}},
		{Pos: 1, QuestionID: 9003, ModelA: "demo-aurora", ModelB: "demo-cirrus", Turns: []int{1, 2}},
	})
	if got != want {
		t.Errorf("StudyItems = %s, want %s", got, want)
	}
	stored, err := s.Study(ctx, st.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(stored.Spec.Units) != len(units) || stored.Units != 3 {
		t.Errorf("stored study spec units = %d, units %d; want %d, 3", len(stored.Spec.Units), stored.Units, len(units))
	}
	// The study works like any other: an annotator is queued its turns.
	n, err := s.NextItem(ctx, st.ID, "ann")
	if err != nil || n == nil || n.Progress.Total != 3 {
		t.Fatalf("NextItem = %+v, %v; want an item of 3 turns in all", n, err)
	}
}

func TestCreateStudyExplicitUnitsErrors(t *testing.T) {
	s := storetest.MustOpenDemo(t)
	ctx := context.Background()
	cases := []struct {
		name string
		unit store.StudyUnit
		want string
	}{
		{"unknown question", store.StudyUnit{QuestionID: 1, ModelA: "demo-aurora", ModelB: "demo-basalt", Turn: 1}, "no such question"},
		{"same model", store.StudyUnit{QuestionID: 9001, ModelA: "demo-aurora", ModelB: "demo-aurora", Turn: 1}, "two different models"},
		{"no model", store.StudyUnit{QuestionID: 9001, ModelA: "demo-aurora", ModelB: "", Turn: 1}, "two different models"},
		{"unknown model", store.StudyUnit{QuestionID: 9001, ModelA: "demo-aurora", ModelB: "gpt-9", Turn: 1}, `no answer from "gpt-9"`},
		{"turn 0", store.StudyUnit{QuestionID: 9001, ModelA: "demo-aurora", ModelB: "demo-basalt", Turn: 0}, "turns start at 1"},
		{"turn 3", store.StudyUnit{QuestionID: 9001, ModelA: "demo-aurora", ModelB: "demo-basalt", Turn: 3}, "turn 3"},
	}
	for i, c := range cases {
		ok := store.StudyUnit{QuestionID: 9002, ModelA: "demo-aurora", ModelB: "demo-basalt", Turn: 1}
		_, err := s.CreateStudy(ctx, store.StudySpec{Name: fmt.Sprint("bad ", i), Units: []store.StudyUnit{ok, c.unit}})
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "unit 2") {
			t.Errorf("%s: CreateStudy error = %v, want one naming unit 2 and containing %q", c.name, err, c.want)
		}
	}
	studies, err := s.Studies(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range studies {
		if strings.HasPrefix(st.Name, "bad ") {
			t.Errorf("a failed CreateStudy left study %q behind", st.Name)
		}
	}
	u := []store.StudyUnit{{QuestionID: 9001, ModelA: "demo-aurora", ModelB: "demo-basalt", Turn: 1}}
	mustStudyUnits(t, s, "twice", u)
	if _, err := s.CreateStudy(ctx, store.StudySpec{Name: "twice", Units: u}); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("second study named twice: error = %v, want one saying it exists", err)
	}
}

func mustStudyUnits(t *testing.T, s *store.Store, name string, units []store.StudyUnit) *store.Study {
	t.Helper()
	st, err := s.CreateStudy(context.Background(), store.StudySpec{Name: name, Units: units})
	if err != nil {
		t.Fatalf("CreateStudy(%q, %d units): %v", name, len(units), err)
	}
	return st
}
