// Shapes of the judge bindings' values (app/judge.go, judge/plan.go,
// judge/runner.go, store/query.go). Field names follow the Go JSON tags:
// camelCase for requests, plans and progress, snake_case for stored verdicts.

/** JudgeRequest configures a run (app.JudgeRequest). */
export interface JudgeRequest {
  name: string; // defaults to model
  baseUrl: string;
  model: string;
  temperature: number;
  maxTokens: number; // 0: the default
  mode?: 'pairwise' | 'single'; // default pairwise; single rates every selected model's answer 1-10
  prompt: string; // "concord", "fastchat" or one prompt's name
  models: string[]; // every pair among these; empty: all models
  pairs: string[]; // "a:b"; overrides models
  turns: number[];
  categories: string[];
  questionIds: number[];
  studyId: number; // > 0: exactly this study's units; the selection fields above are ignored
  concurrency: number;
  rpm: number;
  tpm: number;
  timeoutSec: number;
  apiKeyEnv: string;
}

/** Price in USD per million tokens (judge.Price). */
export interface Price {
  input_per_million: number;
  output_per_million: number;
}

/** JudgePlan is a dry run's answer (app.JudgePlan embedding judge.Estimate). */
export interface JudgePlan {
  units: number;
  requests: number;
  done: number;
  retry: number;
  skipped: Record<string, number> | null;
  tokensIn: number;
  tokensOut: number;
  cost: number;
  costKnown: boolean;
  price: Price;
  note: string;
  judge: string;
  model: string;
  promptSet: string;
  keySource: string;
  priceFile: string;
}

/** Progress of a run (judge.Progress); durations are Go nanoseconds. */
export interface JudgeProgress {
  total: number;
  done: number;
  errors: number;
  retries: number;
  inFlight: number;
  elapsed: number;
  perMinute: number;
  eta: number;
  finished: boolean;
  stopped?: string;
}

/** How a run stands (app.Outcome*); "" before any run. */
export type RunOutcome = 'running' | 'finished' | 'cancelled' | 'stopped';

/**
 * JudgeStatus is the payload of judge:progress and judge:done (app.JudgeStatus).
 * (runId, seq) orders statuses: events may arrive out of order, the higher pair is newer.
 */
export interface JudgeStatus {
  running: boolean;
  runId: number;
  seq: number;
  outcome: RunOutcome | '';
  judge: string;
  progress: JudgeProgress; // the final counters once running is false
  error?: string; // why a stopped run stopped; never set for a cancelled one
}

/** One row of the editable price table (app.PriceRow): USD per million tokens. */
export interface PriceRow extends Price {
  model: string;
}

/** The price table and its file (app.PriceTable). */
export interface PriceTable {
  file: string;
  rows: PriceRow[];
}

/** One game: a judgment in one presentation order (store.Game). */
export interface Game {
  winner: string; // "model_1", "model_2", "tie" or "error"
  judgment: string;
  tokens_in?: number;
  tokens_out?: number;
  latency_ms?: number;
  error?: string;
}

/** A stored verdict on one unit (store.Verdict); g1 shows model_1 as A, g2 shows model_2 as A. */
export interface Verdict {
  id: number;
  judge: string;
  judge_model: string;
  prompt: string;
  prompt_hash?: string;
  question_id: number;
  question_key?: string;
  model_1: string;
  model_2: string;
  turn: number;
  g1?: Game | null;
  g2?: Game | null;
  combined: string; // "model_1", "model_2", "tie", "inconsistent" or "error"
}

export interface Question {
  question_id: number;
  /** The question's id as its file spelled it: what the user sees. */
  question_key?: string;
  category: string;
  turns: string[];
  reference?: string[];
}

/** A verdict with its question and both models' answers (app.VerdictDetail). */
export interface VerdictDetail {
  verdict: Verdict;
  question: Question;
  answer1: string[] | null;
  answer2: string[] | null;
}
