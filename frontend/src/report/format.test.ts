import { describe, expect, it } from 'vitest';
import { ciText, pct, pctRound, ratingRange, verdictText, warningSection, warningsFor } from './format';

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
  it('places warnings next to their panel by the engine section', () => {
    const ws = [
      { section: 'length', message: '5 of 1200 units lack answer lengths' },
      { section: 'position', message: 'gpt-4: no unit was judged in both orders' },
      { section: 'agreement', message: 'gpt-4: 3 verdicts were errors, excluded from agreement' },
      { section: 'some-future-section', message: 'later' },
      { section: 'general', message: 'no judge verdicts' },
    ];
    expect(warningSection(ws[0])).toBe('length');
    expect(warningSection(ws[3])).toBe('general');
    expect(warningsFor('length', ws)).toEqual(['5 of 1200 units lack answer lengths']);
    expect(warningsFor('position', ws)).toEqual(['gpt-4: no unit was judged in both orders']);
    expect(warningsFor('general', ws)).toEqual(['later', 'no judge verdicts']);
    expect(warningsFor('length', [])).toEqual([]); // Go sends [], never null
  });
  it('gives both leaderboards one rating axis', () => {
    const m = (value: number | null, ci: [number, number] | null = null) =>
      ({ model: 'm', wins: 0, losses: 0, ties: 0, win_rate: null, rating: { value, ci }, rank: 1 }) as never;
    const human = { models: [m(1120, [1080, 1163]), m(905, [870, 940])] };
    const judge = { models: [m(1210, [1190, 1251]), m(820, null), m(null)] };
    expect(ratingRange([human, judge])).toEqual([800, 1300]);
    expect(ratingRange([human])).toEqual([850, 1200]);
    expect(ratingRange([])).toEqual([950, 1050]);
    expect(ratingRange([{ models: [m(1000)] }])).toEqual([950, 1050]);
  });
  it('names verdicts by model', () => {
    expect(verdictText('model_a', 'x', 'y')).toBe('x');
    expect(verdictText('model_b', 'x', 'y')).toBe('y');
    expect(verdictText('both_bad', 'x', 'y')).toBe('tie (both bad)');
    expect(verdictText('inconsistent', 'x', 'y')).toBe('inconsistent');
  });
});
