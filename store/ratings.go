package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Rating is one judge's single-answer grade of one model's answer to one turn
// of a question (MT-Bench's "single" mode). A rating is a score from 1 to 10
// or an error, never both: when Error is set Score is 0 and Judgment keeps the
// judge's raw reply (FastChat writes a score of -1 instead).
type Rating struct {
	ID         int64     `json:"id"`
	Judge      string    `json:"judge"`
	JudgeModel string    `json:"judge_model"`
	Prompt     string    `json:"prompt"`
	PromptHash string    `json:"prompt_hash,omitempty"`
	QuestionID int       `json:"question_id"`
	Model      string    `json:"model"`
	Turn       int       `json:"turn"`
	Score      float64   `json:"score"`
	Error      string    `json:"error,omitempty"`
	Judgment   string    `json:"judgment,omitempty"`
	UserPrompt string    `json:"user_prompt,omitempty"`
	TokensIn   int       `json:"tokens_in,omitempty"`
	TokensOut  int       `json:"tokens_out,omitempty"`
	LatencyMS  int64     `json:"latency_ms,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	Source     string    `json:"source,omitempty"`
}

// IsError reports whether the rating is an error rather than a score.
func (r *Rating) IsError() bool { return r.Error != "" }

// The bounds of a stored score (the ratings table checks them too).
const (
	MinScore = 1.0
	MaxScore = 10.0
)

// ratingSelect reads ratings with their judges; scanRatings reads its rows.
const ratingSelect = `SELECT r.id, j.name, j.model, r.prompt, r.prompt_hash, r.question_id, r.model, r.turn, r.score, r.error,
	r.judgment, r.user_prompt, r.tokens_in, r.tokens_out, r.latency_ms, r.created_at, r.source
	FROM ratings r JOIN judges j ON j.id = r.judge_id`

func scanRatings(rows *sql.Rows) ([]Rating, error) {
	defer rows.Close()
	out := []Rating{}
	for rows.Next() {
		var r Rating
		var score sql.NullFloat64
		var errText sql.NullString
		var in, outTok, lat sql.NullInt64
		var at string
		if err := rows.Scan(&r.ID, &r.Judge, &r.JudgeModel, &r.Prompt, &r.PromptHash, &r.QuestionID, &r.Model, &r.Turn, &score, &errText,
			&r.Judgment, &r.UserPrompt, &in, &outTok, &lat, &at, &r.Source); err != nil {
			return nil, err
		}
		r.Score, r.Error = score.Float64, errText.String
		r.TokensIn, r.TokensOut, r.LatencyMS = int(in.Int64), int(outTok.Int64), lat.Int64
		t, err := time.Parse(time.RFC3339Nano, at)
		if err != nil {
			return nil, fmt.Errorf("rating %d: created_at %q: %w", r.ID, at, err)
		}
		r.CreatedAt = t
		out = append(out, r)
	}
	return out, rows.Err()
}

// Ratings returns the ratings of a judge ("" for every judge), ordered by
// judge, model, question and turn (FastChat's order).
func (s *Store) Ratings(ctx context.Context, judge string) ([]Rating, error) {
	rows, err := s.read.QueryContext(ctx, ratingSelect+`
		WHERE (? = '' OR j.name = ?)
		ORDER BY j.name, r.model, r.question_id, r.turn`, judge, judge)
	if err != nil {
		return nil, fmt.Errorf("ratings: %w", err)
	}
	out, err := scanRatings(rows)
	if err != nil {
		return nil, fmt.Errorf("ratings: %w", err)
	}
	return out, nil
}

// SaveRating commits one rating of a judge run. The rating of a (question,
// model, turn) is written once: a stored score is never replaced (a second
// result is dropped), a stored error is replaced by any new result, and a
// rating under another prompt (name or text) than the stored one is refused
// with ErrPromptChanged, so a judge's score never mixes prompts.
func (s *Store) SaveRating(ctx context.Context, judgeID int64, r Rating) error {
	if err := checkRating(r); err != nil {
		return fmt.Errorf("save rating: %w", err)
	}
	err := s.Write(ctx, func(tx *sql.Tx) error { return s.saveRatingTx(ctx, tx, judgeID, r) })
	if err != nil {
		return fmt.Errorf("save rating q%d %s turn %d: %w", r.QuestionID, r.Model, r.Turn, err)
	}
	return nil
}

// saveRatingTx is SaveRating inside tx.
func (s *Store) saveRatingTx(ctx context.Context, tx *sql.Tx, judgeID int64, r Rating) error {
	if err := checkRating(r); err != nil {
		return err
	}
	at := r.CreatedAt
	if at.IsZero() {
		at = s.Now()
	}
	score, errText := ratingValues(r)
	source := r.Source
	if source == "" {
		source = "concord judge"
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO ratings(judge_id, prompt, prompt_hash, question_id, model, turn, score, error,
		judgment, user_prompt, tokens_in, tokens_out, latency_ms, created_at, source)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(judge_id, question_id, model, turn) DO NOTHING`,
		judgeID, r.Prompt, r.PromptHash, r.QuestionID, r.Model, r.Turn, score, errText,
		r.Judgment, r.UserPrompt, r.TokensIn, r.TokensOut, r.LatencyMS, at.UTC().Format(time.RFC3339Nano), source)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	var prompt, hash string
	var stored sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT prompt, prompt_hash, error FROM ratings
		WHERE judge_id = ? AND question_id = ? AND model = ? AND turn = ?`, judgeID, r.QuestionID, r.Model, r.Turn).
		Scan(&prompt, &hash, &stored); err != nil {
		return err
	}
	if prompt != r.Prompt || hash != r.PromptHash {
		return fmt.Errorf("%w (stored: %s, new: %s)", ErrPromptChanged, prompt, r.Prompt)
	}
	if !stored.Valid {
		return nil // a score already: keep the first
	}
	_, err = tx.ExecContext(ctx, `UPDATE ratings SET score = ?, error = ?, judgment = ?, user_prompt = ?, tokens_in = ?,
		tokens_out = ?, latency_ms = ?, created_at = ?, source = ?
		WHERE judge_id = ? AND question_id = ? AND model = ? AND turn = ?`,
		score, errText, r.Judgment, r.UserPrompt, r.TokensIn, r.TokensOut, r.LatencyMS, at.UTC().Format(time.RFC3339Nano), source,
		judgeID, r.QuestionID, r.Model, r.Turn)
	return err
}

// checkRating enforces a rating's invariant: a score from MinScore to
// MaxScore, or an error.
func checkRating(r Rating) error {
	switch {
	case r.Turn < 1:
		return fmt.Errorf("turn %d is not 1 or more", r.Turn)
	case r.Model == "":
		return errors.New("no model")
	case r.Error == "" && (r.Score < MinScore || r.Score > MaxScore):
		return fmt.Errorf("score %v outside %v to %v", r.Score, MinScore, MaxScore)
	}
	return nil
}

// ratingValues are a rating's score and error columns: exactly one is NULL.
func ratingValues(r Rating) (score, errText any) {
	if r.Error != "" {
		return nil, r.Error
	}
	return r.Score, nil
}

// QuestionRatings returns a judge's ratings of every answer to one question.
func (s *Store) QuestionRatings(ctx context.Context, judge string, question int) ([]Rating, error) {
	rows, err := s.read.QueryContext(ctx, ratingSelect+`
		WHERE j.name = ? AND r.question_id = ? ORDER BY r.model, r.turn`, judge, question)
	if err != nil {
		return nil, fmt.Errorf("ratings of question %d: %w", question, err)
	}
	out, err := scanRatings(rows)
	if err != nil {
		return nil, fmt.Errorf("ratings of question %d: %w", question, err)
	}
	return out, nil
}
