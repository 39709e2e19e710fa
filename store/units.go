package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"concord/store/outcome"
)

// Focused queries for one unit (question, model pair, turn) and one question,
// so that a detail view reads a handful of rows through the unit indexes
// (votes_unit, verdicts_unit, the answers primary key) instead of whole tables.

// ErrNoQuestion is returned by Question when no question has the id.
var ErrNoQuestion = errors.New("no such question")

// Question returns one question.
func (s *Store) Question(ctx context.Context, id int) (*Question, error) {
	var q Question
	var turns string
	var ref sql.NullString
	err := s.read.QueryRowContext(ctx, `SELECT question_id, key, category, turns, reference, source FROM questions WHERE question_id = ?`, id).
		Scan(&q.ID, &q.Key, &q.Category, &turns, &ref, &q.Source)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("question %d: %w", id, ErrNoQuestion)
	}
	if err != nil {
		return nil, fmt.Errorf("question %d: %w", id, err)
	}
	if err := json.Unmarshal([]byte(turns), &q.Turns); err != nil {
		return nil, fmt.Errorf("question %d turns: %w", id, err)
	}
	if ref.Valid && ref.String != "" {
		_ = json.Unmarshal([]byte(ref.String), &q.Reference)
	}
	return &q, nil
}

// QuestionAnswers returns every model's answers to one question, ordered by model.
func (s *Store) QuestionAnswers(ctx context.Context, question int) ([]Answer, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT a.question_id, m.name, a.turns FROM answers a JOIN models m ON m.id = a.model_id
		WHERE a.question_id = ? ORDER BY m.name`, question)
	if err != nil {
		return nil, fmt.Errorf("answers to question %d: %w", question, err)
	}
	defer rows.Close()
	out := []Answer{}
	for rows.Next() {
		var a Answer
		var turns string
		if err := rows.Scan(&a.QuestionID, &a.Model, &turns); err != nil {
			return nil, fmt.Errorf("answers to question %d: %w", question, err)
		}
		if err := json.Unmarshal([]byte(turns), &a.Turns); err != nil {
			return nil, fmt.Errorf("answers to question %d, model %s: %w", question, a.Model, err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// UnitVotes returns the current human votes (not withdrawn, not skips) of
// every group on one unit, oldest first. The pair may be given in either
// order; the votes are in canonical terms (ModelA < ModelB), as Votes returns them.
func (s *Store) UnitVotes(ctx context.Context, question int, modelA, modelB string, turn int) ([]Vote, error) {
	a, b, _ := outcome.CanonicalPair(modelA, modelB)
	rows, err := s.read.QueryContext(ctx, voteSelect+`
		WHERE v.question_id = ? AND v.model_a = ? AND v.model_b = ? AND v.turn = ?
		AND v.withdrawn_at IS NULL AND v.winner != 'skip'
		ORDER BY v.id`, question, a, b, turn)
	if err != nil {
		return nil, fmt.Errorf("unit votes: %w", err)
	}
	out, err := scanVotes(rows)
	if err != nil {
		return nil, fmt.Errorf("unit votes: %w", err)
	}
	return out, nil
}

// UnitVerdicts returns one judge's verdicts ("" for every judge) on one unit,
// in the order Verdicts uses (judge, then prompt). The pair may be given in
// either order; the verdicts are in canonical terms (Model1 < Model2).
func (s *Store) UnitVerdicts(ctx context.Context, judge string, question int, modelA, modelB string, turn int) ([]Verdict, error) {
	a, b, _ := outcome.CanonicalPair(modelA, modelB)
	rows, err := s.read.QueryContext(ctx, verdictSelect+`
		WHERE v.question_id = ? AND v.model_1 = ? AND v.model_2 = ? AND v.turn = ? AND (? = '' OR j.name = ?)
		ORDER BY j.name, v.prompt`, question, a, b, turn, judge, judge)
	if err != nil {
		return nil, fmt.Errorf("unit verdicts: %w", err)
	}
	out, err := scanVerdicts(rows)
	if err != nil {
		return nil, fmt.Errorf("unit verdicts: %w", err)
	}
	return out, nil
}
