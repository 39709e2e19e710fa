import { describe, expect, it } from 'vitest';
import { href, parseHash, parseRoute, studyHref } from './router.svelte';

describe('parseHash', () => {
  it.each([
    ['', 'home'],
    ['#', 'home'],
    ['#/', 'home'],
    ['#/annotate', 'annotate'],
    ['#annotate', 'annotate'],
    ['#/Report', 'report'],
    ['#/judge/run/3', 'judge'],
    ['#/report?judge=gpt-4', 'report'],
    ['#/nowhere', 'home'],
    ['#/__proto__', 'home'],
  ])('parseHash(%j) = %s', (hash, want) => {
    expect(parseHash(hash)).toBe(want);
  });

  it('round-trips href', () => {
    expect(parseHash(href('judge'))).toBe('judge');
  });
});

describe('parseRoute', () => {
  it.each([
    ['#/annotate', { screen: 'annotate', study: null }],
    ['#/annotate/', { screen: 'annotate', study: null }],
    ['#/annotate/12', { screen: 'annotate', study: 12 }],
    ['#annotate/3?x=1', { screen: 'annotate', study: 3 }],
    ['#/annotate/0', { screen: 'annotate', study: null }],
    ['#/annotate/-4', { screen: 'annotate', study: null }],
    ['#/annotate/1e3', { screen: 'annotate', study: null }],
    ['#/annotate/abc', { screen: 'annotate', study: null }],
    ['#/report/12', { screen: 'report', study: null }],
    ['#/nowhere/12', { screen: 'home', study: null }],
  ])('parseRoute(%j) = %j', (hash, want) => {
    expect(parseRoute(hash)).toEqual(want);
  });

  it('round-trips studyHref', () => {
    expect(parseRoute(studyHref(42))).toEqual({ screen: 'annotate', study: 42 });
  });
});
