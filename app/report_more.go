package app

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"concord/store"
	"concord/store/outcome"
)

// AnnotateMoreRequest asks for a study that gathers more human votes on units
// the report found uncertain: a close call (Pair, whose units are those the
// report's Judge, Humans and Turn give it) or an explicit list (Units, e.g. a
// filtered disagreement list).
type AnnotateMoreRequest struct {
	Name   string            `json:"name"`   // "" = a default name, made unique
	Label  string            `json:"label"`  // what Units are, for the default name ("gpt-4 disagreements, turn 1")
	Judge  string            `json:"judge"`  // with Pair: "" = the only judge
	Humans string            `json:"humans"` // with Pair: annotator group; "" or "all" = every human
	Turn   int               `json:"turn"`   // with Pair: 1 or 2; 0 = both
	Pair   [2]string         `json:"pair"`   // a close call's model pair (either order)
	Units  []store.StudyUnit `json:"units"`  // explicit units; when set, Pair is ignored
}

// AnnotateMore creates a study of exactly the requested units, for more
// human votes; open it on the Annotate screen.
func (a *App) AnnotateMore(req AnnotateMoreRequest) (*store.Study, error) {
	return annotateMore(a.ctx, a.store, req)
}

// moreInstructions is shown to annotators of a study made from the report.
const moreInstructions = "These comparisons were picked from the agreement report because the judge and the humans disagree on them or their order is uncertain. Read the question and both answers and choose the better answer, or a tie when neither is better."

func annotateMore(ctx context.Context, s *store.Store, req AnnotateMoreRequest) (*store.Study, error) {
	units := req.Units
	name := strings.TrimSpace(req.Name)
	if len(units) == 0 {
		var err error
		if units, err = closeCallUnits(ctx, s, req); err != nil {
			return nil, fmt.Errorf("annotate more: %w", err)
		}
		if name == "" {
			a, b := canonicalPair(req.Pair)
			name = fmt.Sprintf("More votes: %s vs %s", a, b)
			if req.Turn > 0 {
				name += fmt.Sprintf(", turn %d", req.Turn)
			}
		}
	} else if name == "" {
		label := strings.TrimSpace(req.Label)
		if label == "" {
			label = fmt.Sprintf("%d units", len(units))
		}
		name = "More votes: " + label
	}
	if strings.TrimSpace(req.Name) == "" {
		var err error
		if name, err = uniqueStudyName(ctx, s, name); err != nil {
			return nil, fmt.Errorf("annotate more: %w", err)
		}
	}
	st, err := s.CreateStudy(ctx, store.StudySpec{Name: name, Instructions: moreInstructions, Units: units, Seed: 1})
	if err != nil {
		return nil, fmt.Errorf("annotate more: %w", err)
	}
	return st, nil
}

// canonicalPair trims a pair's names and orders it as the tables store it.
func canonicalPair(p [2]string) (string, string) {
	a, b, _ := outcome.CanonicalPair(strings.TrimSpace(p[0]), strings.TrimSpace(p[1]))
	return a, b
}

// closeCallUnits returns the units a close call rests on: every unit of the
// pair, within the turn, with a vote of the group or a verdict of the judge.
func closeCallUnits(ctx context.Context, s *store.Store, req AnnotateMoreRequest) ([]store.StudyUnit, error) {
	a, b := canonicalPair(req.Pair)
	if a == "" || a == b {
		return nil, fmt.Errorf("a close call names two different models (got %q and %q)", req.Pair[0], req.Pair[1])
	}
	if req.Turn < 0 || req.Turn > 2 {
		return nil, fmt.Errorf("turn %d: want 1, 2 or 0 for both", req.Turn)
	}
	judge, err := resolveJudge(ctx, s, req.Judge)
	if err != nil {
		return nil, err
	}
	group := req.Humans
	if group == "all" {
		group = ""
	}
	seen := map[unitKey]bool{}
	var units []store.StudyUnit
	add := func(q int, x, y string, turn int) {
		k, _ := canonical(q, x, y, turn)
		if k.a != a || k.b != b || (req.Turn != 0 && turn != req.Turn) || seen[k] {
			return
		}
		seen[k] = true
		units = append(units, store.StudyUnit{QuestionID: q, ModelA: k.a, ModelB: k.b, Turn: turn})
	}
	votes, err := s.Votes(ctx, group)
	if err != nil {
		return nil, err
	}
	for _, v := range votes {
		add(v.QuestionID, v.ModelA, v.ModelB, v.Turn)
	}
	verdicts, err := s.Verdicts(ctx, judge)
	if err != nil {
		return nil, err
	}
	for _, v := range verdicts {
		add(v.QuestionID, v.Model1, v.Model2, v.Turn)
	}
	if len(units) == 0 {
		return nil, fmt.Errorf("no votes or verdicts on %s vs %s to ask more about", a, b)
	}
	return units, nil
}

// uniqueStudyName returns name, or name with " (2)", " (3)", ... when a study
// already has it.
func uniqueStudyName(ctx context.Context, s *store.Store, name string) (string, error) {
	studies, err := s.Studies(ctx)
	if err != nil {
		return "", err
	}
	taken := map[string]bool{}
	for _, st := range studies {
		taken[st.Name] = true
	}
	base := name
	for i := 2; taken[name]; i++ {
		if i > 1000 {
			return "", errors.New("too many studies with the same name")
		}
		name = fmt.Sprintf("%s (%d)", base, i)
	}
	return name, nil
}
