// Chart.js for the report screen: only the parts used are registered, plus two
// small plugins (interval whiskers and dashed chance lines). Colours come from
// the page's light or dark palette when a chart is created.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type Plugin,
} from 'chart.js';

/** Interval per data point, drawn as a whisker: dataset.ci[i] = [lo, hi]. */
export type Whiskers = ([number | null, number | null] | null)[];

interface ChanceOptions {
  lines?: { value: number; label: string }[];
}

declare module 'chart.js' {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  interface PluginOptionsByType<TType> {
    chance?: ChanceOptions;
  }
}

const whiskers: Plugin = {
  id: 'whiskers',
  afterDatasetsDraw(chart) {
    const ctx = chart.ctx;
    const horizontal = chart.options.indexAxis === 'y';
    ctx.save();
    ctx.strokeStyle = palette().text;
    ctx.lineWidth = 1.4;
    chart.data.datasets.forEach((ds, i) => {
      const ci = (ds as unknown as { ci?: Whiskers }).ci;
      const meta = chart.getDatasetMeta(i);
      if (!ci || meta.hidden) return;
      const scale = chart.scales[horizontal ? meta.xAxisID! : meta.yAxisID!];
      meta.data.forEach((el, j) => {
        const c = ci[j];
        if (!c || c[0] === null || c[1] === null) return;
        const a = scale.getPixelForValue(c[0]);
        const b = scale.getPixelForValue(c[1]);
        const at = horizontal ? el.y : el.x;
        ctx.beginPath();
        if (horizontal) {
          ctx.moveTo(a, at), ctx.lineTo(b, at);
          ctx.moveTo(a, at - 4), ctx.lineTo(a, at + 4);
          ctx.moveTo(b, at - 4), ctx.lineTo(b, at + 4);
        } else {
          ctx.moveTo(at, a), ctx.lineTo(at, b);
          ctx.moveTo(at - 4, a), ctx.lineTo(at + 4, a);
          ctx.moveTo(at - 4, b), ctx.lineTo(at + 4, b);
        }
        ctx.stroke();
      });
    });
    ctx.restore();
  },
};

const chance: Plugin = {
  id: 'chance',
  afterDatasetsDraw(chart, _args, opts: ChanceOptions) {
    const lines = opts?.lines ?? [];
    if (!lines.length) return;
    const horizontal = chart.options.indexAxis === 'y';
    const scale = horizontal ? chart.scales.x : chart.scales.y;
    const area = chart.chartArea;
    const p = palette();
    const ctx = chart.ctx;
    ctx.save();
    ctx.setLineDash([5, 4]);
    ctx.strokeStyle = p.muted;
    ctx.fillStyle = p.muted;
    ctx.font = '11px system-ui, sans-serif';
    lines.forEach((l, i) => {
      const v = scale.getPixelForValue(l.value);
      ctx.beginPath();
      if (horizontal) {
        ctx.moveTo(v, area.top), ctx.lineTo(v, area.bottom);
        ctx.stroke();
        ctx.textAlign = i % 2 ? 'left' : 'right';
        ctx.fillText(l.label, v + (i % 2 ? 4 : -4), area.top - 4);
      } else {
        ctx.moveTo(area.left, v), ctx.lineTo(area.right, v);
        ctx.stroke();
        ctx.textAlign = 'left';
        ctx.fillText(l.label, area.left + 4, v - 4);
      }
    });
    ctx.restore();
  },
};

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  Legend,
  whiskers,
  chance,
);

export { Chart };

/** isDark reports whether the page uses its dark palette. */
export function isDark(): boolean {
  return typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches;
}

/** palette returns the chart colours for the current colour scheme. */
export function palette() {
  const dark = isDark();
  const css = typeof document !== 'undefined' ? getComputedStyle(document.documentElement) : null;
  const v = (name: string, fallback: string) => css?.getPropertyValue(name).trim() || fallback;
  return {
    text: v('--text', dark ? '#e3e6ea' : '#1b1f24'),
    muted: v('--text-muted', dark ? '#9ca5b0' : '#5b6472'),
    grid: v('--border', dark ? '#2a3038' : '#e1e4e9'),
    judge: dark ? '#6f9bff' : '#3457d5',
    human: dark ? '#f0b44c' : '#c77800',
    consistent: dark ? '#4cc38a' : '#1f8a57',
    first: dark ? '#f07167' : '#c0392b',
    second: dark ? '#b197fc' : '#7048e8',
    error: dark ? '#8a92a0' : '#9aa1ab',
    inconsistent: dark ? '#ff8fab' : '#d6336c',
  };
}

/** percentTicks shows a 0-1 axis as whole percentages. */
export function percentTicks() {
  return { ...axisColours().ticks, format: { style: 'percent', minimumFractionDigits: 0, maximumFractionDigits: 0 } as Intl.NumberFormatOptions };
}

/** axisColours gives scale colours for the current palette. */
export function axisColours() {
  const p = palette();
  return { ticks: { color: p.muted }, grid: { color: p.grid }, border: { color: p.grid } };
}
