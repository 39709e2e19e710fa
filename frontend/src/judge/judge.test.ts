import { describe, expect, it } from 'vitest';
import { DEFAULT_FORM, checkPrices, formatCost, formatDuration, gameVerdictLetter, isNewer, promptsFor, runNouns, runOutcome, shownLabel, splitList, toDrafts, toRequest, winnerName } from './judge';
import type { JudgeStatus } from './types';

describe('toRequest', () => {
  it('sends models in models mode and pairs in pairs mode', () => {
    const f = { ...DEFAULT_FORM, models: ['a', 'b'], pairs: 'a:b, b:c', mode: 'models' as const };
    expect(toRequest(f).models).toEqual(['a', 'b']);
    expect(toRequest(f).pairs).toEqual([]);
    const p = toRequest({ ...f, mode: 'pairs' });
    expect(p.models).toEqual([]);
    expect(p.pairs).toEqual(['a:b', 'b:c']);
  });
  it('trims text, sorts turns and keeps numbers whole and in range', () => {
    const r = toRequest({ ...DEFAULT_FORM, baseUrl: ' http://x/v1 ', model: ' m ', turns: [2, 1], concurrency: 0, rpm: -3, tpm: 12.6, maxTokens: NaN });
    expect(r).toMatchObject({ baseUrl: 'http://x/v1', model: 'm', turns: [1, 2], concurrency: 1, rpm: 0, tpm: 13, maxTokens: 0 });
  });
});

describe('splitList', () => {
  it.each([
    ['a, b,,c', ['a', 'b', 'c']],
    ['  ', []],
    ['a:b\nc:d', ['a:b', 'c:d']],
  ])('splitList(%j)', (input, want) => {
    expect(splitList(input)).toEqual(want);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '–'],
    [12e9, '12s'],
    [185e9, '3m 05s'],
    [3720e9, '1h 02m'],
  ])('formatDuration(%d) = %s', (ns, want) => {
    expect(formatDuration(ns)).toBe(want);
  });
});

describe('formatCost', () => {
  it.each([
    [0, '$0.00'],
    [0.004, '< $0.01'],
    [1.234, '$1.23'],
    [1234.5, '$1,235'],
  ])('formatCost(%d) = %s', (usd, want) => {
    expect(formatCost(usd)).toBe(want);
  });
});

describe('labels', () => {
  it('game 1 shows model_1 as A, game 2 shows model_2 as A', () => {
    expect(shownLabel(1, 'model_1')).toBe('A');
    expect(shownLabel(1, 'model_2')).toBe('B');
    expect(shownLabel(2, 'model_1')).toBe('B');
    expect(shownLabel(2, 'model_2')).toBe('A');
  });
  it('maps stored winners back to what the judge wrote', () => {
    expect(gameVerdictLetter(1, { winner: 'model_1', judgment: '' })).toBe('[[A]]');
    expect(gameVerdictLetter(2, { winner: 'model_1', judgment: '' })).toBe('[[B]]');
    expect(gameVerdictLetter(2, { winner: 'tie', judgment: '' })).toBe('[[C]]');
    expect(gameVerdictLetter(1, { winner: 'error', judgment: '' })).toBe('error');
    expect(gameVerdictLetter(1, null)).toBe('not run');
  });
  it('names winners by model', () => {
    const v = { model_1: 'x', model_2: 'y' };
    expect([winnerName(v, 'model_1'), winnerName(v, 'model_2'), winnerName(v, 'tie'), winnerName(v, undefined)]).toEqual(['x', 'y', 'tie', 'not run']);
  });
});

describe('runNouns', () => {
  it.each([
    ['single', 'ratings', 'answers'],
    ['pairwise', 'games', 'units'],
    ['', 'games', 'units'],
    [undefined, 'games', 'units'],
  ])('runNouns(%s) counts %s of %s', (mode, results, units) => {
    expect(runNouns(mode)).toEqual({ results, units });
  });
});

describe('runOutcome', () => {
  const progress = { total: 10, done: 10, errors: 0, retries: 0, inFlight: 0, elapsed: 0, perMinute: 0, eta: 0, finished: true };
  it.each([
    [{ running: true, outcome: 'running' }, 'running'],
    [{ outcome: 'finished' }, 'finished'],
    [{ progress: { ...progress, done: 4 }, outcome: 'cancelled' }, 'cancelled'],
    [{ outcome: 'stopped', error: 'judge run stopped: 401 Incorrect API key' }, 'stopped'],
  ] as const)('runOutcome(%j) = %s', (patch, want) => {
    const base: JudgeStatus = { running: false, runId: 1, seq: 2, outcome: '', judge: 'j', mode: 'pairwise', progress };
    expect(runOutcome({ ...base, ...patch })).toBe(want);
  });
});

describe('isNewer', () => {
  const progress = { total: 10, done: 0, errors: 0, retries: 0, inFlight: 0, elapsed: 0, perMinute: 0, eta: 0, finished: false };
  const st = (runId: number, seq: number, done = 0, running = true): JudgeStatus => ({
    running,
    runId,
    seq,
    outcome: running ? 'running' : 'finished',
    judge: 'j',
    mode: 'pairwise',
    progress: { ...progress, done },
  });
  it.each([
    [null, st(1, 1), true],
    [st(1, 3), st(1, 4), true],
    [st(1, 4), st(1, 3), false], // progress delivered late
    [st(1, 4), st(1, 4), false],
    [st(1, 9), st(2, 1), true], // a new run
    [st(2, 1), st(1, 9), false], // the last run's late event
  ] as const)('isNewer(%j, %j) = %s', (cur, next, want) => {
    expect(isNewer(cur, next)).toBe(want);
  });
  it('keeps the final counters whatever order the events arrive in', () => {
    const events = [st(2, 1, 0), st(2, 2, 40), st(2, 3, 90), st(2, 4, 142, false)];
    for (const order of [
      [0, 1, 2, 3],
      [3, 2, 1, 0],
      [1, 3, 0, 2],
      [0, 3, 2, 1],
    ]) {
      let shown: JudgeStatus | null = st(1, 7, 5, false); // the cancelled run before
      for (const i of order) if (isNewer(shown, events[i])) shown = events[i];
      expect(shown).toEqual(events[3]);
    }
  });
});

describe('toRequest grading', () => {
  it('sends pairwise by default and single when chosen', () => {
    expect(toRequest(DEFAULT_FORM).mode).toBe('pairwise');
    expect(toRequest({ ...DEFAULT_FORM, grading: 'single' }).mode).toBe('single');
    expect(promptsFor('single', ['concord', 'fastchat', 'pair-v2'])).toEqual(['concord', 'fastchat']);
    expect(promptsFor('pairwise', ['concord', 'pair-v2'])).toEqual(['concord', 'pair-v2']);
  });
});

describe('toRequest in study mode', () => {
  it('sends the study and no other selection', () => {
    const f = { ...DEFAULT_FORM, mode: 'study' as const, studyId: 4, models: ['a', 'b'], categories: ['math'], turns: [2] };
    expect(toRequest(f)).toMatchObject({ studyId: 4, models: [], pairs: [], categories: [], turns: [] });
    expect(toRequest({ ...f, mode: 'models' })).toMatchObject({ studyId: 0, models: ['a', 'b'], categories: ['math'], turns: [2] });
  });
});

describe('checkPrices', () => {
  it('accepts names with non-negative prices, trimmed', () => {
    const r = checkPrices([
      { model: ' gpt-4o ', input: '2.5', output: '10' },
      { model: 'local', input: '0', output: ' 0 ' },
    ]);
    expect(r.errors).toEqual({});
    expect(r.rows).toEqual([
      { model: 'gpt-4o', input_per_million: 2.5, output_per_million: 10 },
      { model: 'local', input_per_million: 0, output_per_million: 0 },
    ]);
  });
  it.each([
    [{ model: '', input: '1', output: '1' }, 'model', 'a model name is required'],
    [{ model: 'm', input: '-1', output: '1' }, 'input', 'the input price must be a number, 0 or more'],
    [{ model: 'm', input: '1', output: '' }, 'output', 'the output price must be a number, 0 or more'],
    [{ model: 'm', input: 'abc', output: '1' }, 'input', 'the input price must be a number, 0 or more'],
    [{ model: 'm', input: 'Infinity', output: '1' }, 'input', 'the input price must be a number, 0 or more'],
  ])('checkPrices([%j]) refuses the %s: %s', (row, field, message) => {
    const r = checkPrices([row]);
    expect(r.errors).toEqual({ 0: { field, message } });
    expect(r.rows).toEqual([]);
  });
  it('refuses a name listed twice, on the second row', () => {
    const r = checkPrices([
      { model: 'm', input: '1', output: '1' },
      { model: ' m', input: '2', output: '2' },
    ]);
    expect(r.errors).toEqual({ 1: { field: 'model', message: 'm is listed twice' } });
  });
  it('round-trips stored rows through the editor', () => {
    const rows = [{ model: 'gpt-4o-mini', input_per_million: 0.15, output_per_million: 0.6 }];
    expect(checkPrices(toDrafts(rows)).rows).toEqual(rows);
  });
});
