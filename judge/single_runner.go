package judge

import (
	"context"
	"errors"
	"fmt"

	"concord/store"
)

// RatingStore is what a single-answer run needs from persistence besides
// Store (implemented by *store.Store).
type RatingStore interface {
	Ratings(ctx context.Context, judge string) ([]store.Rating, error)
	SaveRating(ctx context.Context, judgeID int64, r store.Rating) error
}

// PendingSingle is Pending for single-answer tasks: a rating is finished
// when it is stored with a score; stored errors are run again; a stored
// rating under another prompt (name or text) is refused, since a judge's
// score must not mix prompts. The estimate counts requests in Done and Retry.
func PendingSingle(ctx context.Context, st Store, cfg Config, set PromptSet, tasks []SingleTask) (pending []SingleTask, e Estimate, err error) {
	cfg = cfg.withDefaults()
	rs, ok := st.(RatingStore)
	if !ok {
		return nil, e, errors.New("judge: this store keeps no ratings")
	}
	spec := Spec(cfg, set)
	old, found, err := st.JudgeSpecByName(ctx, cfg.Name)
	if err != nil {
		return nil, e, err
	}
	if found && old.ConfigHash != spec.ConfigHash {
		return nil, e, fmt.Errorf("%w: %s was configured as %s; choose another --name", store.ErrJudgeConfig, cfg.Name, old.ConfigJSON)
	}
	stored, err := rs.Ratings(ctx, cfg.Name)
	if err != nil {
		return nil, e, err
	}
	type answer struct {
		q     int
		model string
		turn  int
	}
	have := make(map[answer]store.Rating, len(stored))
	for _, r := range stored {
		have[answer{r.QuestionID, r.Model, r.Turn}] = r
	}
	for _, t := range tasks {
		r, ok := have[answer{t.QuestionID, t.Model, t.Turn}]
		switch {
		case !ok:
			pending = append(pending, t)
		case r.Prompt != t.Prompt.Name || r.PromptHash != t.Prompt.Hash():
			return nil, e, fmt.Errorf("%w: q%d %s turn %d was rated with %s, now %s", store.ErrPromptChanged, t.QuestionID, t.Model, t.Turn, r.Prompt, t.Prompt.Name)
		case r.IsError():
			e.Retry++
			pending = append(pending, t)
		default:
			e.Done++
		}
	}
	return pending, e, nil
}

// EstimatedSingle is Estimated for single-answer tasks: Units counts the
// answers (question, model, turn) to rate, one request each.
func EstimatedSingle(e Estimate, pending []SingleTask, maxTokens int, model string, prices PriceTable) Estimate {
	tasks := make([]Task, len(pending))
	for i, t := range pending {
		tasks[i] = Task{Unit: Unit{QuestionID: t.QuestionID, Model1: t.Model, Turn: t.Turn}, Prompt: t.Prompt, User: t.User}
	}
	return Estimated(e, tasks, maxTokens, model, prices)
}

// RunSingle rates the tasks (callers pass PendingSingle's result) as Run
// judges pairwise tasks, with the same limits, retries, cancellation and key
// hygiene, one request per answer and turn; each rating is committed as it
// arrives. Progress counts ratings; a reply without a readable rating is
// stored as an error with its raw text and is retried on resume.
func (r *Runner) RunSingle(ctx context.Context, tasks []SingleTask) (Result, error) {
	if _, ok := r.Store.(RatingStore); !ok {
		return Result{}, errors.New("judge: this store keeps no ratings")
	}
	return runTasks(ctx, r, tasks, (*runState).doSingle)
}

// doSingle runs one single-answer task to a stored rating, or returns
// without storing when the run is cancelled or stopped.
func (st *runState) doSingle(ctx context.Context, t SingleTask) {
	label := fmt.Sprintf("q%d %s turn %d", t.QuestionID, t.Model, t.Turn)
	c, lat, failure, ok := st.request(ctx, t.EstimatedTokensIn(), t.Prompt.System, t.User, label)
	if !ok {
		return
	}
	rec := ratingFromReply(t, c, failure, st.r.APIKey)
	rec.LatencyMS = lat
	// Commit even if the run is being cancelled: the answer was paid for.
	if err := st.r.Store.(RatingStore).SaveRating(context.WithoutCancel(ctx), st.judgeID, rec); err != nil {
		st.stop(err)
		return
	}
	st.done.Add(1)
	if rec.Error != "" {
		st.errs.Add(1)
		st.log("%s: error: %s", label, rec.Error)
	}
}

// ratingFromReply is the rating a reply to t stores (a live run and a batch
// alike): the parsed score, or the failure or parse error with the raw
// text, the key scrubbed from both; latency is the caller's.
func ratingFromReply(t SingleTask, c Completion, failure, apiKey string) store.Rating {
	var rt Rating
	if failure != "" {
		rt = Rating{RatingKey: t.Key(), UserPrompt: t.User, Error: failure}
	} else {
		rt = t.Rate(c.Text)
	}
	return store.Rating{Prompt: rt.Prompt, PromptHash: rt.PromptHash, QuestionID: rt.QuestionID, Model: rt.Model, Turn: rt.Turn,
		Score: rt.Score, Error: Scrub(rt.Error, apiKey), Judgment: Scrub(rt.Judgment, apiKey), UserPrompt: rt.UserPrompt,
		TokensIn: c.TokensIn, TokensOut: c.TokensOut}
}
