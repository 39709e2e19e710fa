import { describe, expect, it } from 'vitest';
import { DEFAULT_FORM, formatCost, formatDuration, gameVerdictLetter, runOutcome, shownLabel, splitList, toRequest, winnerName } from './judge';

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

describe('runOutcome', () => {
  const progress = { total: 10, done: 10, errors: 0, retries: 0, inFlight: 0, elapsed: 0, perMinute: 0, eta: 0, finished: true };
  it.each([
    [{ running: true }, 'running'],
    [{}, 'finished'],
    [{ progress: { ...progress, done: 4 } }, 'cancelled'],
    [{ progress: { ...progress, done: 4 }, error: 'context canceled' }, 'cancelled'],
    [{ error: 'judge run stopped: 401 Incorrect API key' }, 'stopped'],
  ] as const)('runOutcome(%j) = %s', (patch, want) => {
    expect(runOutcome({ running: false, runId: 1, judge: 'j', progress, ...patch })).toBe(want);
  });
});
