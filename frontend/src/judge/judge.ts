// Pure helpers of the judge screen: the form's values to a request, and
// progress and verdicts to words. No bindings here (lib/api.ts has them).

import type { Game, JudgeRequest, JudgeStatus, Verdict } from './types';

/** The form as the screen holds it: text where the user types. */
export interface JudgeForm {
  baseUrl: string;
  model: string;
  name: string;
  temperature: number;
  maxTokens: number;
  apiKeyEnv: string;
  prompt: string;
  mode: 'models' | 'pairs';
  models: string[];
  pairs: string; // "a:b, c:d"
  categories: string[];
  turns: number[];
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
  mode: 'models',
  models: [],
  pairs: '',
  categories: [],
  turns: [1, 2],
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

/** toRequest turns the form into the request the backend takes. */
export function toRequest(f: JudgeForm): JudgeRequest {
  return {
    name: f.name.trim(),
    baseUrl: f.baseUrl.trim(),
    model: f.model.trim(),
    temperature: Number.isFinite(f.temperature) ? f.temperature : 0,
    maxTokens: whole(f.maxTokens),
    prompt: f.prompt || 'concord',
    models: f.mode === 'models' ? [...f.models] : [],
    pairs: f.mode === 'pairs' ? splitList(f.pairs) : [],
    turns: [...f.turns].sort((a, b) => a - b),
    categories: [...f.categories],
    questionIds: [],
    concurrency: whole(f.concurrency, 1),
    rpm: whole(f.rpm),
    tpm: whole(f.tpm),
    timeoutSec: Number.isFinite(f.timeoutSec) && f.timeoutSec > 0 ? f.timeoutSec : 0,
    apiKeyEnv: f.apiKeyEnv.trim(),
  };
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

/** RunOutcome is how a run stands, in words the screen shows. */
export type RunOutcome = 'running' | 'finished' | 'cancelled' | 'stopped';

/**
 * runOutcome classifies a run's status: a run ended by cancelling reports
 * Go's "context canceled" as its error, which is no failure; any other
 * error (a 401, a changed prompt) stopped it.
 */
export function runOutcome(s: JudgeStatus): RunOutcome {
  if (s.running) return 'running';
  if (s.error && !/context canceled/i.test(s.error)) return 'stopped';
  if (s.error || s.progress.done < s.progress.total) return 'cancelled';
  return 'finished';
}
