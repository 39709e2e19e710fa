// Pure helpers of the report screen: number formatting and placing the
// engine's warnings next to the figures they qualify.
import type { Estimate, Interval, ModelStat, Num, Rate, Share, Warning } from '../lib/report-types';

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

const SECTIONS: readonly string[] = ['agreement', 'position', 'length', 'models', 'annotators', 'general'];

/** warningSection is the panel a warning belongs to: the engine's section, or general when unknown. */
export function warningSection(w: Warning): Section {
  return SECTIONS.includes(w.section) ? (w.section as Section) : 'general';
}

/** warningsFor returns the messages of the warnings that belong to one panel. */
export function warningsFor(section: Section, warnings: Warning[]): string[] {
  return warnings.filter((w) => warningSection(w) === section).map((w) => w.message);
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

/** ratingRange is one axis range [min, max] for several leaderboards: every
 * rating and interval end, rounded out to a multiple of step ([950, 1050]
 * when there is no rating). */
export function ratingRange(sources: { models: ModelStat[] }[], step = 50): [number, number] {
  const xs: number[] = [];
  for (const s of sources)
    for (const m of s.models) {
      for (const x of [m.rating?.value, m.rating?.ci?.[0], m.rating?.ci?.[1]])
        if (typeof x === 'number' && Number.isFinite(x)) xs.push(x);
    }
  if (!xs.length) return [1000 - step, 1000 + step];
  const lo = Math.floor(Math.min(...xs) / step) * step;
  const hi = Math.ceil(Math.max(...xs) / step) * step;
  return lo === hi ? [lo - step, hi + step] : [lo, hi];
}
