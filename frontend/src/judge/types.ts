// Shapes of the judge bindings' values: the models Wails generates from the
// bound methods' types (wailsjs/go/models.ts: app/judge.go, judge/plan.go,
// judge/runner.go, store/query.go), named here for the judge screens. Field
// names follow the Go JSON tags: camelCase for requests, plans and progress,
// snake_case for stored verdicts.

import type { app, judge, settings, store } from '../../wailsjs/go/models';

/** JudgeRequest configures a run (app.JudgeRequest). */
export type JudgeRequest = app.JudgeRequest;

/** Price in USD per million tokens (judge.Price, which is also a price row without its model). */
export type Price = Omit<settings.PriceRow, 'model'>;

/**
 * JudgePlan is a dry run's answer (app.JudgePlan embedding judge.Estimate).
 * The generator types the embedded estimate's price as any: it is a Price.
 */
export type JudgePlan = Omit<app.JudgePlan, 'price'> & { price: Price };

/** Progress of a run (judge.Progress); durations are Go nanoseconds. */
export type JudgeProgress = judge.Progress;

/** How a run stands (app.Outcome*); "" before any run. */
export type RunOutcome = 'running' | 'finished' | 'cancelled' | 'stopped';

/**
 * JudgeStatus is the payload of judge:progress and judge:done (app.JudgeStatus),
 * with its outcome narrowed to Go's Outcome* constants (the model says string).
 * (runId, seq) orders statuses: events may arrive out of order, the higher pair is newer.
 * progress holds the final counters once running is false; error says why a
 * stopped run stopped and is never set for a cancelled one.
 */
export type JudgeStatus = Omit<app.JudgeStatus, 'outcome'> & { outcome: RunOutcome | '' };

/** One row of the editable price table (settings.PriceRow, app.PriceRow in Go): USD per million tokens. */
export type PriceRow = settings.PriceRow;

/** The price table and its file (settings.PriceTable). */
export type PriceTable = settings.PriceTable;

/** One game: a judgment in one presentation order (store.Game); winner is "model_1", "model_2", "tie" or "error". */
export type Game = store.Game;

/**
 * A stored verdict on one unit (store.Verdict); g1 shows model_1 as A, g2 shows
 * model_2 as A; combined is "model_1", "model_2", "tie", "inconsistent" or "error".
 */
export type Verdict = store.Verdict;

/** A question with its turns (store.Question); question_key is its id as its file spelled it. */
export type Question = store.Question;

/** One stored single-answer rating with its question's key (app.RatingRow). */
export type RatingRow = app.RatingRow;

/** A verdict with its question and both models' answers (app.VerdictDetail). */
export type VerdictDetail = app.VerdictDetail;
