// Pure helpers of the report screen: number formatting and placing the
// engine's warnings next to the figures they qualify.
import type { Estimate, Interval, Num, Rate, Share } from '../lib/report-types';

/** pct formats a proportion as a percentage with one decimal ("n/a" when undefined). */
export function pct(x: Num | undefined, digits = 1): string {
  return x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : `${(100 * x).toFixed(digits)}%`;
}

/** pctRound formats a proportion as a whole percentage, as the MT-Bench paper does. */
export function pctRound(x: Num | undefined): string {
  return pct(x, 0);
}

/** ciText formats an interval as "[lo, hi]", scaled (100 for percentages). */
export function ciText(ci: Interval | undefined, scale = 100, digits = 1): string {
  if (!ci || ci[0] === null || ci[1] === null) return '';
  return `[${(scale * ci[0]).toFixed(digits)}, ${(scale * ci[1]).toFixed(digits)}]`;
}

/** est formats an estimate's value with the given decimals. */
export function est(e: Estimate | null | undefined, digits = 3): string {
  if (!e || e.value === null) return 'n/a';
  return e.value.toFixed(digits);
}

/** countText is "k/n" for a rate or share. */
export function countText(r: Rate | Share | null | undefined): string {
  if (!r) return '';
  const k = 'agree' in r ? r.agree : r.count;
  return `${k.toLocaleString('en')}/${r.n.toLocaleString('en')}`;
}

export type Section = 'agreement' | 'position' | 'length' | 'models' | 'annotators' | 'general';

/** warningSection says which panel a warning qualifies (the same rule as the HTML export). */
export function warningSection(w: string): Section {
  const l = w.toLowerCase();
  if (l.includes('length')) return 'length';
  if (['both orders', 'left', 'position', 'inconsisten'].some((k) => l.includes(k))) return 'position';
  if (['rating', 'rank', 'win rate', 'leaderboard'].some((k) => l.includes(k))) return 'models';
  if (l.includes('annotator')) return 'annotators';
  if (['agreement', 'small sample', 'excluded', 'no observations'].some((k) => l.includes(k))) return 'agreement';
  return 'general';
}

/** warningsFor returns the warnings that belong to one panel. */
export function warningsFor(section: Section, warnings: string[] | null | undefined): string[] {
  return (warnings ?? []).filter((w) => warningSection(w) === section);
}

/** verdictText names a verdict in terms of the pair. */
export function verdictText(v: string | undefined, a: string, b: string): string {
  switch (v) {
    case 'model_a':
      return a;
    case 'model_b':
      return b;
    case 'both_bad':
      return 'tie (both bad)';
    case 'both_good':
      return 'tie (both good)';
    case undefined:
    case '':
      return '—';
    default:
      return v;
  }
}
