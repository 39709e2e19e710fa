import { describe, expect, it } from 'vitest';
import { ciText, pct, pctRound, verdictText, warningSection, warningsFor } from './format';

describe('report format', () => {
  it('formats proportions and intervals', () => {
    expect(pct(0.6597)).toBe('66.0%');
    expect(pctRound(0.6597)).toBe('66%');
    expect(pctRound(0.8463)).toBe('85%');
    expect(pct(null)).toBe('n/a');
    expect(ciText([0.6218, 0.696])).toBe('[62.2, 69.6]');
    expect(ciText(null)).toBe('');
    expect(ciText([null, 0.5])).toBe('');
  });
  it('places warnings next to their panel', () => {
    const cases: [string, string][] = [
      ['5 of 1200 units lack answer lengths and are left out of the length analysis', 'length'],
      ['gpt-4: no unit was judged in both orders; only the inconsistency rate of combined verdicts is reported', 'position'],
      ['no vote records which model was shown on the left: human left bias is unknown', 'position'],
      ['4 per-category or per-pair agreement figures rest on fewer than 30 comparisons', 'agreement'],
      ['gpt-4: 3 verdicts were errors, excluded from agreement', 'agreement'],
      ['something else', 'general'],
    ];
    for (const [w, s] of cases) expect(warningSection(w), w).toBe(s);
    expect(warningsFor('length', cases.map((c) => c[0]))).toHaveLength(1);
    expect(warningsFor('length', null)).toEqual([]);
  });
  it('names verdicts by model', () => {
    expect(verdictText('model_a', 'x', 'y')).toBe('x');
    expect(verdictText('model_b', 'x', 'y')).toBe('y');
    expect(verdictText('both_bad', 'x', 'y')).toBe('tie (both bad)');
    expect(verdictText('inconsistent', 'x', 'y')).toBe('inconsistent');
  });
});
