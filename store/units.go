package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
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
	err := s.read.QueryRowContext(ctx, `SELECT question_id, category, turns, reference, source FROM questions WHERE question_id = ?`, id).
		Scan(&q.ID, &q.Category, &turns, &ref, &q.Source)
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

// canonicalPair orders a model pair as the tables store it (a < b).
func canonicalPair(a, b string) (string, string) {
	if b < a {
		return b, a
	}
	return a, b
}

// UnitVotes returns the current human votes (not withdrawn, not skips) of
// every group on one unit, oldest first. The pair may be given in either
// order; the votes are in canonical terms (ModelA < ModelB), as Votes returns them.
func (s *Store) UnitVotes(ctx context.Context, question int, modelA, modelB string, turn int) ([]Vote, error) {
	a, b := canonicalPair(modelA, modelB)
	rows, err := s.read.QueryContext(ctx, `SELECT v.id, v.uid, an.name, an.grp, v.question_id, v.model_a, v.model_b, v.turn, v.winner,
		coalesce(v.left_model, ''), coalesce(v.study_id, 0), v.created_at, v.time_ms, v.rationale, v.source
		FROM votes v JOIN annotators an ON an.id = v.annotator_id
		WHERE v.question_id = ? AND v.model_a = ? AND v.model_b = ? AND v.turn = ?
		AND v.withdrawn_at IS NULL AND v.winner != 'skip'
		ORDER BY v.id`, question, a, b, turn)
	if err != nil {
		return nil, fmt.Errorf("unit votes: %w", err)
	}
	defer rows.Close()
	out := []Vote{}
	for rows.Next() {
		var v Vote
		var created string
		if err := rows.Scan(&v.ID, &v.UID, &v.Annotator, &v.Group, &v.QuestionID, &v.ModelA, &v.ModelB, &v.Turn, &v.Winner,
			&v.Left, &v.StudyID, &created, &v.TimeMS, &v.Rationale, &v.Source); err != nil {
			return nil, fmt.Errorf("unit votes: %w", err)
		}
		v.CreatedAt, _ = time.Parse(time.RFC3339Nano, created)
		out = append(out, v)
	}
	return out, rows.Err()
}

// UnitVerdicts returns one judge's verdicts ("" for every judge) on one unit,
// in the order Verdicts uses (judge, then prompt). The pair may be given in
// either order; the verdicts are in canonical terms (Model1 < Model2).
func (s *Store) UnitVerdicts(ctx context.Context, judge string, question int, modelA, modelB string, turn int) ([]Verdict, error) {
	a, b := canonicalPair(modelA, modelB)
	rows, err := s.read.QueryContext(ctx, `SELECT v.id, j.name, j.model, v.prompt, v.prompt_hash, v.question_id, v.model_1, v.model_2, v.turn, coalesce(v.combined, ''),
		v.g1_winner, v.g1_judgment, v.g1_user_prompt, v.g1_tokens_in, v.g1_tokens_out, v.g1_latency_ms, v.g1_error,
		v.g2_winner, v.g2_judgment, v.g2_user_prompt, v.g2_tokens_in, v.g2_tokens_out, v.g2_latency_ms, v.g2_error
		FROM verdicts v JOIN judges j ON j.id = v.judge_id
		WHERE v.question_id = ? AND v.model_1 = ? AND v.model_2 = ? AND v.turn = ? AND (? = '' OR j.name = ?)
		ORDER BY j.name, v.prompt`, question, a, b, turn, judge, judge)
	if err != nil {
		return nil, fmt.Errorf("unit verdicts: %w", err)
	}
	defer rows.Close()
	out := []Verdict{}
	for rows.Next() {
		var v Verdict
		var g [2]struct {
			winner, judgment, prompt, errText sql.NullString
			in, outTok, lat                   sql.NullInt64
		}
		if err := rows.Scan(&v.ID, &v.Judge, &v.JudgeModel, &v.Prompt, &v.PromptHash, &v.QuestionID, &v.Model1, &v.Model2, &v.Turn, &v.Combined,
			&g[0].winner, &g[0].judgment, &g[0].prompt, &g[0].in, &g[0].outTok, &g[0].lat, &g[0].errText,
			&g[1].winner, &g[1].judgment, &g[1].prompt, &g[1].in, &g[1].outTok, &g[1].lat, &g[1].errText); err != nil {
			return nil, fmt.Errorf("unit verdicts: %w", err)
		}
		for i := range g {
			if !g[i].winner.Valid {
				continue
			}
			game := &Game{Winner: g[i].winner.String, Judgment: g[i].judgment.String, UserPrompt: g[i].prompt.String,
				TokensIn: int(g[i].in.Int64), TokensOut: int(g[i].outTok.Int64), LatencyMS: g[i].lat.Int64, Error: g[i].errText.String}
			if i == 0 {
				v.G1 = game
			} else {
				v.G2 = game
			}
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
