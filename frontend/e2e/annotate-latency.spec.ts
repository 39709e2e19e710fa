// Issue 3, speed: keypress → next item painted over 60 votes on a study of
// the real MT-Bench answers (long Markdown, code, math). Prints p50/p95 and
// the parts (Go call, DOM update, frame); asserts nothing timed (the goals
// live in the Go benchmarks), only that every vote moved on.
import { expect, test } from '@playwright/test';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cli } from './helpers';

const frontend = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MT_BENCH = path.resolve(frontend, '../../shared/data/mt_bench');
const VOTES = 60;

function quantile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
}

interface Parts {
  call: number;
  dom: number;
  paint: number;
}

test('next item after a keypress on MT-Bench data', async ({ page }) => {
  test.skip(!existsSync(path.join(MT_BENCH, 'question.jsonl')), `MT-Bench data not found at ${MT_BENCH} (see ../shared/data/README.md)`);
  test.setTimeout(180_000);
  cli('import', MT_BENCH);
  const models = readdirSync(path.join(MT_BENCH, 'model_answer')).map((f) => f.replace(/\.jsonl$/, ''));
  const name = `latency ${Date.now()}`;
  cli('study', 'create', '--name', name, '--models', models.join(','), '--sample', '48', '--seed', '5');

  await page.goto('/#/annotate');
  const form = page.getByTestId('identify');
  await expect(form.or(page.getByTestId('new-study'))).toBeVisible();
  if (await form.isVisible()) {
    await page.getByTestId('annotator-name').fill('latency-annotator');
    await page.getByTestId('annotator-save').click();
  }
  await page.locator(`li[data-study="${name}"]`).getByTestId('open-study').click();
  await expect(page.getByTestId('item')).toBeVisible();
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.evaluate(() => {
    const w = window as unknown as { __annotateTimings: number[]; __annotateTimingParts: Parts[] };
    w.__annotateTimings.length = 0;
    w.__annotateTimingParts.length = 0;
  });

  const keys = ['1', '2', '3', '4', 'ArrowLeft', 'ArrowRight', 'ArrowDown'];
  for (let i = 0; i < VOTES; i++) {
    const before = await page.getByTestId('item').getAttribute('data-item');
    await page.keyboard.press(keys[i % keys.length]);
    await page.waitForFunction(
      (b) => document.querySelector('[data-testid="item"]')?.getAttribute('data-item') !== b,
      before,
      { polling: 'raf' },
    );
    // An annotator reads before the next vote; give the window a beat as they would.
    await page.waitForTimeout(150);
  }
  await expect(page.getByTestId('progress')).toHaveAttribute('data-done', String(VOTES));

  const { total, parts } = await page.evaluate(() => {
    const w = window as unknown as { __annotateTimings: number[]; __annotateTimingParts: Parts[] };
    return { total: [...w.__annotateTimings], parts: [...w.__annotateTimingParts] };
  });
  expect(total).toHaveLength(VOTES);
  const f = (xs: number[]) => `p50 ${quantile(xs, 0.5).toFixed(1)} ms, p95 ${quantile(xs, 0.95).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms`;
  const report = [
    `next item after keypress on MT-Bench (n=${total.length}): ${f(total)}`,
    `  Go call (vote commit + next item): ${f(parts.map((p) => p.call))}`,
    `  DOM update (Markdown, highlighting, KaTeX): ${f(parts.map((p) => p.dom))}`,
    `  to the next frame: ${f(parts.map((p) => p.paint))}`,
  ].join('\n');
  console.log(report);
  test.info().annotations.push({ type: 'next-item-latency', description: report });
});
