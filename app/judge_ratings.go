package app

import (
	"context"
	"sort"
	"strconv"

	"concord/store"
)

// JudgeListing is one judge of `concord judge list`: its pairwise verdicts
// and its single-answer ratings, each with its errors.
type JudgeListing struct {
	Name         string `json:"name"`
	Verdicts     int    `json:"verdicts"`
	BothOrder    int    `json:"both_orders"`
	Errors       int    `json:"errors"` // verdicts that are errors
	Ratings      int    `json:"ratings"`
	RatingErrors int    `json:"rating_errors"`
}

// judgeListings counts every judge's verdicts and ratings, by name.
func judgeListings(in *store.Info) []JudgeListing {
	by := map[string]*JudgeListing{}
	get := func(name string) *JudgeListing {
		if by[name] == nil {
			by[name] = &JudgeListing{Name: name}
		}
		return by[name]
	}
	for _, j := range in.Judges {
		l := get(j.Name)
		l.Verdicts, l.BothOrder, l.Errors = j.Verdicts, j.BothOrder, j.Errors
	}
	for _, r := range in.Ratings {
		l := get(r.Name)
		l.Ratings, l.RatingErrors = r.Ratings, r.Errors
	}
	out := make([]JudgeListing, 0, len(by))
	for _, l := range by {
		out = append(out, *l)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// RatingRow is one stored rating for the Judge screen's browser, with the
// question's key as the files spell it.
type RatingRow struct {
	store.Rating
	QuestionKey string `json:"question_key"`
}

// judgeRatings lists a judge's ratings without their long user prompts.
func judgeRatings(ctx context.Context, st *store.Store, judgeName string) ([]RatingRow, error) {
	rs, err := st.Ratings(ctx, judgeName)
	if err != nil {
		return nil, err
	}
	qs, err := st.Questions(ctx)
	if err != nil {
		return nil, err
	}
	keys := make(map[int]string, len(qs))
	for _, q := range qs {
		keys[q.ID] = q.Key
	}
	out := make([]RatingRow, 0, len(rs))
	for _, r := range rs {
		r.UserPrompt = ""
		k := keys[r.QuestionID]
		if k == "" {
			k = strconv.Itoa(r.QuestionID)
		}
		out = append(out, RatingRow{Rating: r, QuestionKey: k})
	}
	return out, nil
}

// JudgeRatings lists a judge's single-answer ratings (score or error and
// the explanation, without the user prompts).
func (a *App) JudgeRatings(judgeName string) ([]RatingRow, error) {
	return judgeRatings(a.ctx, a.store, judgeName)
}
