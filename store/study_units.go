package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"concord/store/outcome"
)

// StudyUnit is one unit a study asks votes on: a question, a model pair (in
// either order) and a turn.
type StudyUnit struct {
	QuestionID int    `json:"question_id"`
	ModelA     string `json:"model_a"`
	ModelB     string `json:"model_b"`
	Turn       int    `json:"turn"`
}

// unitStudyItems turns explicit units into study items: pairs in canonical
// order, the turns of one (question, pair) merged into one item, duplicates
// dropped, items in canonical order (question, model_a, model_b). Every unit
// needs its question and both models' answers up to its turn.
func (s *Store) unitStudyItems(ctx context.Context, units []StudyUnit) ([]StudyItem, error) {
	type itemKey struct {
		q    int
		a, b string
	}
	turns := map[itemKey][]int{}
	var keys []itemKey
	// The number of turns each question and each answer has, read once per question.
	qTurns := map[int]int{}
	aTurns := map[int]map[string]int{}
	for i, u := range units {
		a, b, _ := outcome.CanonicalPair(strings.TrimSpace(u.ModelA), strings.TrimSpace(u.ModelB))
		if a == "" || a == b {
			return nil, fmt.Errorf("unit %d (question %d): a unit compares two different models (got %q and %q)", i+1, u.QuestionID, u.ModelA, u.ModelB)
		}
		if u.Turn < 1 {
			return nil, fmt.Errorf("unit %d (question %d, %s vs %s): turn %d: turns start at 1", i+1, u.QuestionID, a, b, u.Turn)
		}
		if _, ok := qTurns[u.QuestionID]; !ok {
			q, err := s.Question(ctx, u.QuestionID)
			if err != nil {
				return nil, fmt.Errorf("unit %d: %w", i+1, err)
			}
			qTurns[u.QuestionID] = len(q.Turns)
			answers, err := s.QuestionAnswers(ctx, u.QuestionID)
			if err != nil {
				return nil, err
			}
			aTurns[u.QuestionID] = map[string]int{}
			for _, ans := range answers {
				aTurns[u.QuestionID][ans.Model] = len(ans.Turns)
			}
		}
		for _, m := range []string{a, b} {
			if n, ok := aTurns[u.QuestionID][m]; !ok || n < u.Turn {
				return nil, fmt.Errorf("unit %d: question %d has no answer from %q to turn %d", i+1, u.QuestionID, m, u.Turn)
			}
		}
		if qTurns[u.QuestionID] < u.Turn {
			return nil, fmt.Errorf("unit %d: question %d has no turn %d", i+1, u.QuestionID, u.Turn)
		}
		k := itemKey{u.QuestionID, a, b}
		if _, ok := turns[k]; !ok {
			keys = append(keys, k)
		}
		if !slices.Contains(turns[k], u.Turn) {
			turns[k] = append(turns[k], u.Turn)
		}
	}
	slices.SortFunc(keys, func(x, y itemKey) int {
		if x.q != y.q {
			return x.q - y.q
		}
		if c := strings.Compare(x.a, y.a); c != 0 {
			return c
		}
		return strings.Compare(x.b, y.b)
	})
	items := make([]StudyItem, len(keys))
	for i, k := range keys {
		ts := turns[k]
		slices.Sort(ts)
		items[i] = StudyItem{Pos: i, QuestionID: k.q, ModelA: k.a, ModelB: k.b, Turns: ts}
	}
	return items, nil
}

// createUnitStudy stores a study of exactly spec.Units (see StudySpec.Units).
func (s *Store) createUnitStudy(ctx context.Context, spec StudySpec) (*Study, error) {
	items, err := s.unitStudyItems(ctx, spec.Units)
	if err != nil {
		return nil, fmt.Errorf("create study: %w", err)
	}
	if len(items) == 0 {
		return nil, errors.New("create study: no units")
	}
	return s.insertStudy(ctx, spec, items)
}
