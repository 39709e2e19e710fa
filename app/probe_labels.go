package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"concord/judge"
	"concord/judge/audit"
	"concord/store"
)

// parseLabels reads --labels "FIRST,SECOND" (default judge.DefaultNeutralLabels).
func parseLabels(s string) ([2]string, error) {
	if strings.TrimSpace(s) == "" {
		return judge.DefaultNeutralLabels, nil
	}
	a, b, ok := strings.Cut(s, ",")
	if !ok {
		return [2]string{}, fmt.Errorf("labels %q: want two names, FIRST,SECOND", s)
	}
	return [2]string{strings.TrimSpace(a), strings.TrimSpace(b)}, nil
}

// labelItems draws up to req.Sample units (question, model pair, turn; seeded)
// among the stored answers, for the label control.
func labelItems(m judge.Material, req ProbeRequest) ([]store.ExperimentItem, error) {
	turns := req.Turns
	if len(turns) == 0 {
		turns = []int{1}
	}
	answers := map[int]map[string][]string{}
	for _, a := range m.Answers {
		if len(req.Models) > 0 && !slices.Contains(req.Models, a.Model) {
			continue
		}
		if answers[a.QuestionID] == nil {
			answers[a.QuestionID] = map[string][]string{}
		}
		answers[a.QuestionID][a.Model] = a.Turns
	}
	var items []store.ExperimentItem
	for _, q := range m.Questions {
		models := make([]string, 0, len(answers[q.ID]))
		for name := range answers[q.ID] {
			models = append(models, name)
		}
		slices.Sort(models)
		for _, t := range turns {
			for i, m1 := range models {
				for _, m2 := range models[i+1:] {
					if t >= 1 && t <= len(q.Turns) && t <= len(answers[q.ID][m1]) && t <= len(answers[q.ID][m2]) {
						items = append(items, store.ExperimentItem{QuestionID: q.ID, Model1: m1, Model2: m2, Turn: t})
					}
				}
			}
		}
	}
	if len(items) == 0 {
		return nil, errors.New("probe labels: no question has answers of two models (import answers, or widen --models/--turns)")
	}
	rng := rand.New(rand.NewPCG(req.Seed, 0x1abe15))
	rng.Shuffle(len(items), func(i, j int) { items[i], items[j] = items[j], items[i] })
	return items[:min(req.Sample, len(items))], nil
}

// labelsResult scores a label control experiment: the run with the renamed
// labels is the one whose prompts end in "~FIRST-SECOND".
func labelsResult(ctx context.Context, st *store.Store, e store.Experiment, items []store.ExperimentItem, confidence float64) (*audit.Experiment, error) {
	var ps probeSettings
	if err := json.Unmarshal([]byte(e.Settings), &ps); err != nil {
		return nil, fmt.Errorf("experiment %d settings: %w", e.ID, err)
	}
	suffix := fmt.Sprintf("~%s-%s", ps.Labels[0], ps.Labels[1])
	runs, err := twoRuns(ctx, st, e, items, func(prompt string) bool { return strings.HasSuffix(prompt, suffix) })
	if err != nil {
		return nil, err
	}
	li := make([]audit.LabelItem, 0, len(items))
	for _, it := range items {
		it.Variant = ""
		li = append(li, audit.LabelItem{Letters: runs[it][0], Names: runs[it][1]})
	}
	return audit.LabelsResult(audit.Experiment{ID: e.ID, Kind: e.Kind, Judge: e.Judge, ProbeJudge: e.ProbeJudge, Settings: e.Settings},
		li, audit.Z(confidence)), nil
}
