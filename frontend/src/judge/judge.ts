// Pure helpers of the judge screen: the form's values to a request, and
// progress and verdicts to words. No bindings here (lib/api.ts has them).

import type { Game, JudgeRequest, JudgeStatus, PriceRow, RunOutcome, Verdict } from './types';

/** The form as the screen holds it: text where the user types. */
export interface JudgeForm {
  baseUrl: string;
  model: string;
  name: string;
  temperature: number;
  maxTokens: number;
  apiKeyEnv: string;
  prompt: string;
  grading: 'pairwise' | 'single'; // verdicts in both orders, or a 1-10 rating of each answer
  mode: 'models' | 'pairs' | 'study';
  models: string[];
  pairs: string; // "a:b, c:d"
  categories: string[];
  turns: number[];
  studyId: number; // in study mode; 0: none chosen
  concurrency: number;
  rpm: number;
  tpm: number;
  timeoutSec: number;
}

export const DEFAULT_FORM: JudgeForm = {
  baseUrl: 'https://api.openai.com/v1',
  model: 'gpt-4o',
  name: '',
  temperature: 0,
  maxTokens: 1024,
  apiKeyEnv: 'OPENAI_API_KEY',
  prompt: 'concord',
  grading: 'pairwise',
  mode: 'models',
  models: [],
  pairs: '',
  categories: [],
  turns: [1, 2],
  studyId: 0,
  concurrency: 8,
  rpm: 0,
  tpm: 0,
  timeoutSec: 120,
};

/** splitList splits "a, b,,c" into ["a", "b", "c"]. */
export function splitList(s: string): string[] {
  return s
    .split(/[,\s]+/)
    .map((x) => x.trim())
    .filter((x) => x.length > 0);
}

function whole(n: number, min = 0): number {
  return Number.isFinite(n) ? Math.max(min, Math.round(n)) : min;
}

/**
 * toRequest turns the form into the request the backend takes. In study mode
 * the study alone says what to judge: models, pairs, categories and turns are
 * left empty.
 */
export function toRequest(f: JudgeForm): JudgeRequest {
  const study = f.mode === 'study';
  return {
    name: f.name.trim(),
    baseUrl: f.baseUrl.trim(),
    model: f.model.trim(),
    temperature: Number.isFinite(f.temperature) ? f.temperature : 0,
    maxTokens: whole(f.maxTokens),
    mode: f.grading === 'single' ? 'single' : 'pairwise',
    prompt: f.prompt || 'concord',
    models: f.mode === 'models' ? [...f.models] : [],
    pairs: f.mode === 'pairs' ? splitList(f.pairs) : [],
    turns: study ? [] : [...f.turns].sort((a, b) => a - b),
    categories: study ? [] : [...f.categories],
    questionIds: [],
    studyId: study ? whole(f.studyId) : 0,
    concurrency: whole(f.concurrency, 1),
    rpm: whole(f.rpm),
    tpm: whole(f.tpm),
    timeoutSec: Number.isFinite(f.timeoutSec) && f.timeoutSec > 0 ? f.timeoutSec : 0,
    apiKeyEnv: f.apiKeyEnv.trim(),
  };
}

/** SINGLE_PROMPTS are the prompt sets a single-answer run takes. */
export const SINGLE_PROMPTS = ['concord', 'fastchat'];

/** promptsFor lists the prompts offered for a grading mode. */
export function promptsFor(grading: JudgeForm['grading'], pairwise: string[]): string[] {
  return grading === 'single' ? SINGLE_PROMPTS : pairwise;
}

/** formatDuration writes Go nanoseconds as "1h 02m", "3m 05s" or "12s". */
export function formatDuration(ns: number): string {
  if (!Number.isFinite(ns) || ns <= 0) return '–';
  const s = Math.round(ns / 1e9);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(sec).padStart(2, '0')}s`;
  return `${sec}s`;
}

/** formatCost writes dollars: cents below $100, whole dollars above. */
export function formatCost(usd: number): string {
  if (!Number.isFinite(usd)) return '–';
  if (usd > 0 && usd < 0.01) return '< $0.01';
  return usd >= 100 ? `$${Math.round(usd).toLocaleString('en-US')}` : `$${usd.toFixed(2)}`;
}

/** winnerName names a winner ("model_1", "model_2", "tie", ...) in the verdict's terms. */
export function winnerName(v: Pick<Verdict, 'model_1' | 'model_2'>, winner: string | undefined): string {
  switch (winner) {
    case 'model_1':
      return v.model_1;
    case 'model_2':
      return v.model_2;
    case 'tie':
      return 'tie';
    case 'inconsistent':
      return 'inconsistent';
    case 'error':
      return 'error';
    case undefined:
    case '':
      return 'not run';
    default:
      return winner;
  }
}

/**
 * shownLabel is the letter the judge saw for a model in a game: in game 1
 * model_1 is A; in game 2 model_2 is A.
 */
export function shownLabel(game: 1 | 2, which: 'model_1' | 'model_2'): 'A' | 'B' {
  return (game === 1) === (which === 'model_1') ? 'A' : 'B';
}

/** gameVerdictLetter is what the judge wrote in a game: "[[A]]", "[[B]]", "[[C]]" or "error". */
export function gameVerdictLetter(game: 1 | 2, g: Game | null | undefined): string {
  if (!g) return 'not run';
  if (g.winner === 'tie') return '[[C]]';
  if (g.winner === 'model_1' || g.winner === 'model_2') return `[[${shownLabel(game, g.winner)}]]`;
  return g.winner || 'error';
}

/** tone picks a badge colour for a combined verdict. */
export function verdictTone(combined: string): 'neutral' | 'accent' | 'warn' | 'success' | 'danger' {
  if (combined === 'error') return 'danger';
  if (combined === 'inconsistent') return 'warn';
  if (combined === 'tie') return 'neutral';
  return 'accent';
}

/**
 * runNouns names what a run of the mode counts: a pairwise run's requests
 * give games of units, a single-answer run's give ratings of answers.
 */
export function runNouns(mode: string | undefined): { results: 'games' | 'ratings'; units: 'units' | 'answers' } {
  return mode === 'single' ? { results: 'ratings', units: 'answers' } : { results: 'games', units: 'units' };
}

/** runOutcome is how a run stands, as the backend classified it. */
export function runOutcome(s: JudgeStatus): RunOutcome {
  if (s.running) return 'running';
  return s.outcome || 'finished';
}

/**
 * isNewer says whether status next supersedes cur: a later run, or a later
 * status (higher seq) of the same run. Events and replies can arrive out of
 * order, so the screen keeps only statuses that are newer than what it shows;
 * a run's final status has its highest seq and so always wins.
 */
export function isNewer(cur: JudgeStatus | null, next: JudgeStatus): boolean {
  if (!cur) return true;
  if (next.runId !== cur.runId) return next.runId > cur.runId;
  return next.seq > cur.seq;
}

/** A row of the price table editor: text as typed. */
export interface PriceDraft {
  model: string;
  input: string;
  output: string;
}

/** A problem with one row of the price table: which field, and what is wrong. */
export interface PriceProblem {
  field: 'model' | 'input' | 'output';
  message: string;
}

/**
 * checkPrices validates the editor's rows: a model name in each, no name
 * twice, and non-negative numbers (an empty price is an error, not zero).
 * It returns the rows to save (none if any row has a problem) and the
 * problems keyed by row index.
 */
export function checkPrices(rows: PriceDraft[]): { rows: PriceRow[]; errors: Record<number, PriceProblem> } {
  const out: PriceRow[] = [];
  const errors: Record<number, PriceProblem> = {};
  const seen = new Set<string>();
  const num = (s: string) => (s.trim() === '' ? NaN : Number(s.trim()));
  rows.forEach((r, i) => {
    const model = r.model.trim();
    const input = num(r.input);
    const output = num(r.output);
    if (!model) errors[i] = { field: 'model', message: 'a model name is required' };
    else if (seen.has(model)) errors[i] = { field: 'model', message: `${model} is listed twice` };
    else if (!Number.isFinite(input) || input < 0) errors[i] = { field: 'input', message: 'the input price must be a number, 0 or more' };
    else if (!Number.isFinite(output) || output < 0) errors[i] = { field: 'output', message: 'the output price must be a number, 0 or more' };
    seen.add(model);
    out.push({ model, input_per_million: input, output_per_million: output });
  });
  return { rows: Object.keys(errors).length > 0 ? [] : out, errors };
}

/** toDrafts turns stored rows into editable text. */
export function toDrafts(rows: PriceRow[]): PriceDraft[] {
  return rows.map((r) => ({ model: r.model, input: String(r.input_per_million), output: String(r.output_per_million) }));
}
