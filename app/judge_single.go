package app

import (
	"context"
	"errors"
	"fmt"

	"concord/app/settings"
	"concord/judge"
	"concord/store"
)

// Judge modes (JudgeRequest.Mode).
const (
	ModePairwise = "pairwise" // each unit in both presentation orders, stored as verdicts
	ModeSingle   = "single"   // each answer rated 1-10, stored as ratings
)

// prepareSingle is prepareJudge for a single-answer run: every selected
// model's answer to every selected turn is one task (a study or --pairs
// select their models' answers), with Concord's or FastChat's single prompts.
func prepareSingle(ctx context.Context, st *store.Store, req JudgeRequest, cfg judge.Config, imported []store.Prompt, getenv func(string) string) (*preparedRun, error) {
	lookup := func(name string) (judge.Prompt, bool, error) {
		for _, p := range imported {
			if p.Name == name {
				return judge.Prompt{Name: p.Name, System: p.SystemPrompt, Template: p.PromptTemplate, Kind: judge.PromptKind(p.Type)}, true, nil
			}
		}
		return judge.Prompt{}, false, nil
	}
	set, err := judge.ResolveSinglePromptSet(req.Prompt, lookup)
	if err != nil {
		return nil, err
	}
	sel, m, err := selectMaterial(ctx, st, req)
	if err != nil {
		return nil, err
	}
	tasks, skipped, err := judge.BuildSingleTasks(m, sel, set)
	if err != nil {
		return nil, fmt.Errorf("judge: %w", err)
	}
	if len(tasks) == 0 && len(skipped) == 0 {
		return nil, errors.New("judge: nothing to rate (import questions and answers, or widen the selection)")
	}
	pending, est, err := judge.PendingSingle(ctx, st, cfg, set, tasks)
	if err != nil {
		return nil, err
	}
	est.Skipped = skipped
	key, source, err := settings.APIKey(getenv, req.APIKeyEnv)
	if err != nil {
		return nil, err
	}
	pr := &preparedRun{cfg: cfg, set: set, single: pending, key: key, m: m,
		plan: JudgePlan{Mode: ModeSingle, Judge: cfg.Name, Model: cfg.Model, PromptSet: set.Name + " (single)", KeySource: source}}
	prices, file, err := settings.PriceLookup()
	if err != nil {
		return nil, err
	}
	pr.plan.PriceFile = file
	pr.plan.Estimate = judge.EstimatedSingle(est, pending, cfg.MaxTokens, cfg.Model, prices)
	return pr, nil
}

// isSingle reports whether the run rates answers (ModeSingle).
func (pr *preparedRun) isSingle() bool {
	kind, _ := pr.set.Kind()
	return kind == judge.PromptSingle
}

// runNouns are what a run of the mode counts: its requests' results
// ("games" or "ratings") and what those judge ("units" or "answers").
func runNouns(mode string) (results, units string) {
	if mode == ModeSingle {
		return "ratings", "answers"
	}
	return "games", "units"
}

// requests is the number of requests the run will send.
func (pr *preparedRun) requests() int { return len(pr.pending) + len(pr.single) }

// run runs the prepared tasks of either mode with r.
func (pr *preparedRun) run(ctx context.Context, r *judge.Runner) (judge.Result, error) {
	if pr.isSingle() {
		return r.RunSingle(ctx, pr.single)
	}
	return r.Run(ctx, pr.pending)
}
