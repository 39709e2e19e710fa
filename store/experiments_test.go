package store_test

import (
	"context"
	"errors"
	"testing"

	"concord/store"
	"concord/store/storetest"
)

func TestExperiments(t *testing.T) {
	ctx := context.Background()
	s := storetest.MustOpen(t)
	items := []store.ExperimentItem{{QuestionID: 2, Model1: "b", Model2: "b~padded", Turn: 1, Variant: `["x"]`}, {QuestionID: 1, Model1: "a", Model2: "c", Turn: 2}}
	if _, err := s.CreateExperiment(ctx, store.ExperimentVerbosity, "gpt-4", `{}`, nil); err == nil {
		t.Error("CreateExperiment with no items succeeded")
	}
	e, err := s.CreateExperiment(ctx, store.ExperimentVerbosity, "gpt-4", `{"n":2}`, items)
	if err != nil {
		t.Fatal(err)
	}
	if e.ProbeJudge != "gpt-4@verbosity-1" {
		t.Errorf("probe judge %q, want gpt-4@verbosity-1", e.ProbeJudge)
	}
	if _, err := s.CreateExperiment(ctx, "other", "gpt-4", `{}`, items); err == nil {
		t.Error("an unknown kind was stored")
	}
	got, ok, err := s.FindExperiment(ctx, store.ExperimentVerbosity, "gpt-4", `{"n":2}`)
	if err != nil || !ok || got != e {
		t.Errorf("FindExperiment = %+v, %v, %v; want %+v", got, ok, err, e)
	}
	if _, ok, _ := s.FindExperiment(ctx, store.ExperimentVerbosity, "gpt-4", `{"n":3}`); ok {
		t.Error("FindExperiment matched other settings")
	}
	its, err := s.ExperimentItems(ctx, e.ID)
	if err != nil || len(its) != 2 || its[0].QuestionID != 1 || its[1].Variant != `["x"]` {
		t.Errorf("ExperimentItems = %+v, %v", its, err)
	}
	if _, err := s.ExperimentItems(ctx, 99); !errors.Is(err, store.ErrNoExperiment) {
		t.Errorf("ExperimentItems(99) error %v, want ErrNoExperiment", err)
	}
	es, err := s.Experiments(ctx, "gpt-4")
	if err != nil || len(es) != 1 {
		t.Errorf("Experiments = %+v, %v", es, err)
	}
	if es, _ := s.Experiments(ctx, "other"); len(es) != 0 {
		t.Errorf("Experiments(other) = %+v", es)
	}
}
