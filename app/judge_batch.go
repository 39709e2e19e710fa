package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"concord/app/settings"
	"concord/judge"
	"concord/store"
)

// DefaultBatchDiscount is the Batch API's price cut off the live price (OpenAI: 50%).
const DefaultBatchDiscount = 0.5

// BatchOptions are a batch run's settings beyond its JudgeRequest.
type BatchOptions struct {
	Discount    float64 `json:"discount"`    // fraction off the live price, 0 to 1
	MaxRequests int     `json:"maxRequests"` // per batch; 0: judge.DefaultBatchMaxRequests
	MaxBytes    int     `json:"maxBytes"`    // per request file; 0: judge.DefaultBatchMaxBytes
}

// BatchPlan is a batch run's dry run: the live plan with batch prices.
type BatchPlan struct {
	JudgePlan
	Discount  float64 `json:"discount"`
	BatchCost float64 `json:"batchCost"` // USD at the batch discount; valid when CostKnown
	Parts     int     `json:"parts"`     // batches the requests are split into
	InBatches int     `json:"inBatches"` // pending requests (games or ratings) already in open batches, not sent again
}

// BatchStatus is one recorded batch and its failed lines.
type BatchStatus struct {
	store.BatchRecord
	FailedLines []store.BatchLine `json:"failedLines"`
}

// preparedBatch is a batch run ready to record.
type preparedBatch struct {
	pr    *preparedRun
	tasks []judge.BatchTask
	plan  BatchPlan
	opts  BatchOptions
}

func (o BatchOptions) limits() judge.BatchLimits {
	return judge.BatchLimits{MaxRequests: o.MaxRequests, MaxBytes: o.MaxBytes}
}

// prepareBatch plans a batch run as prepareJudge plans a live one, in either
// mode: the same selection and prompts, minus the games (or the answers to
// rate) already waiting in open batches.
func prepareBatch(ctx context.Context, st *store.Store, req JudgeRequest, opts BatchOptions, getenv func(string) string) (*preparedBatch, error) {
	if opts.Discount < 0 || opts.Discount > 1 {
		return nil, fmt.Errorf("judge: batch discount %v is not between 0 and 1", opts.Discount)
	}
	pr, err := prepareJudge(ctx, st, req, getenv)
	if err != nil {
		return nil, err
	}
	waiting, err := openBatchLines(ctx, st, pr.cfg.Name)
	if err != nil {
		return nil, err
	}
	pb := &preparedBatch{pr: pr, opts: opts}
	prices, _, err := settings.PriceLookup()
	if err != nil {
		return nil, err
	}
	pb.plan.JudgePlan = pr.plan
	if pr.isSingle() {
		var send []judge.SingleTask
		for _, t := range pr.single {
			if waiting[judge.SingleCustomID(t.QuestionID, t.Model, t.Turn)] {
				pb.plan.InBatches++
				continue
			}
			send = append(send, t)
		}
		pb.tasks = judge.SingleBatchTasks(pr.cfg, pr.key, send)
		pb.plan.Estimate = judge.EstimatedSingle(pr.plan.Estimate, send, pr.cfg.MaxTokens, pr.cfg.Model, prices)
	} else {
		var send []judge.Task
		for _, t := range pr.pending {
			if waiting[judge.PairCustomID(t.Unit, t.Game)] {
				pb.plan.InBatches++
				continue
			}
			send = append(send, t)
		}
		pb.tasks = judge.PairBatchTasks(pr.cfg, pr.key, send)
		pb.plan.Estimate = judge.Estimated(pr.plan.Estimate, send, pr.cfg.MaxTokens, pr.cfg.Model, prices)
	}
	parts, err := judge.SplitBatch(pb.tasks, opts.limits())
	if err != nil {
		return nil, err
	}
	pb.plan.Discount, pb.plan.Parts = opts.Discount, len(parts)
	pb.plan.BatchCost = pb.plan.Cost * (1 - opts.Discount)
	pb.plan.Note += fmt.Sprintf(" Batch prices are %.0f%% off the live price.", 100*opts.Discount)
	return pb, nil
}

// openBatchLines are the custom_ids of a judge's requests in open batches.
func openBatchLines(ctx context.Context, st *store.Store, judgeName string) (map[string]bool, error) {
	recs, err := st.Batches(ctx, true)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, r := range recs {
		if r.Judge != judgeName {
			continue
		}
		ls, err := st.BatchLines(ctx, r.ID, "")
		if err != nil {
			return nil, err
		}
		for _, l := range ls {
			out[l.CustomID] = true
		}
	}
	return out, nil
}

// record registers the judge and records the batch parts; nothing is sent yet.
func (pb *preparedBatch) record(ctx context.Context, st *store.Store, req JudgeRequest) ([]int64, error) {
	if len(pb.tasks) == 0 {
		return nil, nil
	}
	judgeID, err := st.EnsureJudge(ctx, judge.Spec(pb.pr.cfg, pb.pr.set))
	if err != nil {
		return nil, err
	}
	run, err := json.Marshal(req) // a variable's name at most, never the key
	if err != nil {
		return nil, err
	}
	kind := ModePairwise
	if pb.pr.isSingle() {
		kind = ModeSingle
	}
	b := &judge.Batcher{Store: st, Limits: pb.opts.limits()}
	return b.Submit(ctx, store.BatchRecord{JudgeID: judgeID, Kind: kind, RunJSON: string(run),
		BaseURL: judge.SafeURL(pb.pr.cfg.BaseURL)}, pb.tasks)
}

// batchers makes one Batcher per judge with open batches, each with the
// client and tasks of its latest run (the key under the same rules as a live run).
func batchers(ctx context.Context, st *store.Store, getenv func(string) string, log func(string)) ([]*judge.Batcher, error) {
	recs, err := st.Batches(ctx, true)
	if err != nil {
		return nil, err
	}
	latest := map[int64]store.BatchRecord{}
	var order []int64
	for _, r := range recs {
		if _, ok := latest[r.JudgeID]; !ok {
			order = append(order, r.JudgeID)
		}
		latest[r.JudgeID] = r
	}
	var out []*judge.Batcher
	for _, id := range order {
		rec := latest[id]
		var req JudgeRequest
		if err := json.Unmarshal([]byte(rec.RunJSON), &req); err != nil {
			return nil, fmt.Errorf("batch %d: its run: %w", rec.ID, err)
		}
		key, _, err := settings.APIKey(getenv, req.APIKeyEnv)
		if err != nil {
			return nil, err
		}
		resolvers := map[string]judge.Resolver{}
		out = append(out, &judge.Batcher{
			API:     judge.NewBatchAPI(judge.ClientConfig{BaseURL: req.BaseURL, Model: req.Model, APIKey: key}),
			Store:   st,
			APIKey:  key,
			JudgeID: id,
			Log:     log,
			Open: func(r store.BatchRecord) (judge.Resolver, error) {
				if res, ok := resolvers[r.RunJSON]; ok {
					return res, nil
				}
				var req JudgeRequest
				if err := json.Unmarshal([]byte(r.RunJSON), &req); err != nil {
					return nil, err
				}
				pr, err := prepareJudge(ctx, st, req, getenv)
				if err != nil {
					return nil, err
				}
				var res judge.Resolver
				switch r.Kind {
				case ModeSingle:
					res = judge.SingleResolver(pr.cfg, pr.key, pr.m, pr.set)
				case ModePairwise, "":
					res = judge.PairResolver(pr.cfg, pr.key, pr.m, pr.set)
				default:
					return nil, fmt.Errorf("batch %d: kind %q (want %s or %s)", r.ID, r.Kind, ModePairwise, ModeSingle)
				}
				resolvers[r.RunJSON] = res
				return res, nil
			},
		})
	}
	return out, nil
}

// refreshBatches takes every open batch as far as it goes now.
func refreshBatches(ctx context.Context, st *store.Store, getenv func(string) string, log func(string)) error {
	bs, err := batchers(ctx, st, getenv, log)
	if err != nil {
		return err
	}
	var errs []error
	for _, b := range bs {
		errs = append(errs, b.Refresh(ctx))
	}
	return errors.Join(errs...)
}

// waitBatches takes every open batch to its end, polling with backoff.
// poll is the first wait between status checks (0: the Batcher's default).
func waitBatches(ctx context.Context, st *store.Store, getenv func(string) string, log func(string), poll time.Duration, onChange func()) error {
	bs, err := batchers(ctx, st, getenv, log)
	if err != nil {
		return err
	}
	errs := make(chan error, len(bs))
	for _, b := range bs {
		b.Poll = poll
		if onChange != nil {
			b.OnChange = func([]store.BatchRecord) { onChange() }
		}
		go func() { errs <- b.Run(ctx) }()
	}
	var all []error
	for range bs {
		all = append(all, <-errs)
	}
	return errors.Join(all...)
}

// cancelBatches asks the provider to cancel every open batch; their finished
// lines are still stored by the next refresh.
func cancelBatches(ctx context.Context, st *store.Store, getenv func(string) string) error {
	bs, err := batchers(ctx, st, getenv, nil)
	if err != nil {
		return err
	}
	var errs []error
	for _, b := range bs {
		errs = append(errs, b.Cancel(ctx))
	}
	return errors.Join(errs...)
}

// batchStatuses lists every recorded batch with its failed lines.
func batchStatuses(ctx context.Context, st *store.Store) ([]BatchStatus, error) {
	recs, err := st.Batches(ctx, false)
	if err != nil {
		return nil, err
	}
	out := make([]BatchStatus, 0, len(recs))
	for _, r := range recs {
		s := BatchStatus{BatchRecord: r, FailedLines: []store.BatchLine{}}
		if r.LinesFail > 0 {
			if s.FailedLines, err = st.BatchLines(ctx, r.ID, store.LineFailed); err != nil {
				return nil, err
			}
		}
		out = append(out, s)
	}
	return out, nil
}
