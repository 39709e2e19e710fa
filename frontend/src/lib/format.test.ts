import { describe, expect, it } from 'vitest';
import { basename, byCountDesc, formatCount, fraction, humanKind, plural, relativeTo, splitPaths } from './format';

describe('formatCount', () => {
  it.each([
    [0, '0'],
    [12, '12'],
    [3355, '3,355'],
    [1000000, '1,000,000'],
    [2.6, '3'],
    [NaN, '–'],
    [undefined, '–'],
  ])('formatCount(%s) = %s', (n, want) => {
    expect(formatCount(n as number)).toBe(want);
  });
});

describe('plural', () => {
  it.each([
    [1, 'vote', undefined, '1 vote'],
    [2, 'vote', undefined, '2 votes'],
    [0, 'category', 'categories', '0 categories'],
    [2400, 'verdict', undefined, '2,400 verdicts'],
  ])('plural(%s, %s)', (n, one, many, want) => {
    expect(plural(n as number, one as string, many as string | undefined)).toBe(want);
  });
});

describe('basename', () => {
  it.each([
    ['/work/shared/data/mt_bench', 'mt_bench'],
    ['/work/shared/data/mt_bench/', 'mt_bench'],
    ['C:\\data\\human.csv', 'human.csv'],
    ['question.jsonl', 'question.jsonl'],
    ['', ''],
  ])('basename(%s) = %s', (p, want) => {
    expect(basename(p)).toBe(want);
  });
});

describe('relativeTo', () => {
  it.each([
    ['/d/mt/question.jsonl', '/d/mt', 'question.jsonl'],
    ['/d/mt/model_answer/a.jsonl', '/d/mt/', 'model_answer/a.jsonl'],
    ['/d/mtx/a.jsonl', '/d/mt', '/d/mtx/a.jsonl'],
    ['/d/a.jsonl', '', '/d/a.jsonl'],
  ])('relativeTo(%s, %s) = %s', (p, base, want) => {
    expect(relativeTo(p, base)).toBe(want);
  });
});

describe('fraction', () => {
  it.each([
    [0, 0, 0],
    [1, 4, 0.25],
    [5, 4, 1],
    [-1, 4, 0],
    [3, NaN, 0],
  ])('fraction(%s, %s) = %s', (d, t, want) => {
    expect(fraction(d, t)).toBe(want);
  });
});

describe('humanKind', () => {
  it.each([
    ['model_answer', 'Model answer'],
    ['questions', 'Questions'],
    ['hf-human-judgments', 'Hf human judgments'],
    ['', 'Unknown'],
  ])('humanKind(%s) = %s', (k, want) => {
    expect(humanKind(k)).toBe(want);
  });
});

describe('splitPaths', () => {
  it.each([
    ['/a/b', ['/a/b']],
    ['  /a/b  \n\n/c d/e.jsonl\r\n', ['/a/b', '/c d/e.jsonl']],
    ['"/quoted path/x"', ['/quoted path/x']],
    ["'/single/x'", ['/single/x']],
    ['   ', []],
  ])('splitPaths(%j)', (text, want) => {
    expect(splitPaths(text as string)).toEqual(want);
  });
});

describe('byCountDesc', () => {
  it('sorts by count then label', () => {
    const got = byCountDesc(
      [{ n: 'b', c: 1 }, { n: 'a', c: 1 }, { n: 'z', c: 9 }],
      (x) => x.c,
      (x) => x.n,
    ).map((x) => x.n);
    expect(got).toEqual(['z', 'a', 'b']);
  });
});
