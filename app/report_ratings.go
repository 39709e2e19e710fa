package app

import (
	"context"
	"fmt"
	"math"

	"concord/judge/audit"
	"concord/store"
)

// loadRatings reads a judge's single-answer ratings ("" for none) as the
// audit's plain values, each with the style of the answer it rates; an error
// rating has the score NaN.
func loadRatings(ctx context.Context, s *store.Store, judge string, facts *unitFacts) ([]audit.Rating, error) {
	if judge == "" {
		return nil, nil
	}
	rs, err := s.Ratings(ctx, judge)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	if len(rs) == 0 {
		return nil, nil
	}
	out := make([]audit.Rating, len(rs))
	for i, r := range rs {
		score := r.Score
		if r.IsError() {
			score = math.NaN()
		}
		out[i] = audit.Rating{Judge: r.Judge, Question: r.QuestionID, Category: facts.category[r.QuestionID], Model: r.Model, Turn: r.Turn, Score: score}
		if t := facts.texts[answerKey{r.QuestionID, r.Model}]; r.Turn >= 1 && r.Turn <= len(t) {
			f := audit.Style(t[r.Turn-1])
			out[i].Style = &f
		}
	}
	return out, nil
}

// UnitRating is a judge's single-answer rating of one side of a unit, for the
// disagreement browser: the score (null for an error), the error and the
// judge's explanation.
type UnitRating struct {
	Score       *float64 `json:"score"`
	Error       string   `json:"error,omitempty"`
	Explanation string   `json:"explanation"`
	Prompt      string   `json:"prompt"`
}

// unitRatings are judge's ratings of models a's and b's answers to turn of
// question (nil where there is none).
func unitRatings(ctx context.Context, s *store.Store, judge string, question int, a, b string, turn int) (ra, rb *UnitRating, err error) {
	rs, err := s.QuestionRatings(ctx, judge, question)
	if err != nil {
		return nil, nil, err
	}
	for _, r := range rs {
		if r.Turn != turn {
			continue
		}
		u := &UnitRating{Error: r.Error, Explanation: r.Judgment, Prompt: r.Prompt}
		if !r.IsError() {
			score := r.Score
			u.Score = &score
		}
		switch r.Model {
		case a:
			ra = u
		case b:
			rb = u
		}
	}
	return ra, rb, nil
}
