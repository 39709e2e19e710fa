import { describe, expect, it } from 'vitest';
import { href, parseHash } from './router.svelte';

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
