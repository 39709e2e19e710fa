// Screenshots of the Annotate screen for looking at, not asserting pixels:
// identify, the study list with the create form, items at turn 1 and turn 2
// with code and with math, the revisit of a skip and the shortcut sheet, at
// 1280x800 and 1920x1080, light and dark. Runs only with
// CONCORD_SCREENSHOTS=<folder> (the PNGs go there).
import { expect, test, type Page } from '@playwright/test';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cli } from './helpers';

const frontend = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MT_BENCH = path.resolve(frontend, '../../shared/data/mt_bench');
const OUT = process.env.CONCORD_SCREENSHOTS ?? '';

const SIZES = [
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
];
const SCHEMES = ['light', 'dark'] as const;

async function shoot(page: Page, name: string) {
  for (const size of SIZES) {
    await page.setViewportSize(size);
    for (const scheme of SCHEMES) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.waitForTimeout(120);
      await page.screenshot({ path: path.join(OUT, `annotate-${name}-${size.width}x${size.height}-${scheme}.png`) });
    }
  }
  await page.setViewportSize(SIZES[0]);
  await page.emulateMedia({ colorScheme: 'light' });
}

test('annotate screenshots', async ({ page }) => {
  test.skip(!OUT, 'set CONCORD_SCREENSHOTS=<folder> to take the screenshots');
  test.setTimeout(240_000);
  mkdirSync(OUT, { recursive: true });
  let models = 'demo-aurora,demo-basalt,demo-cirrus';
  if (existsSync(path.join(MT_BENCH, 'question.jsonl'))) {
    cli('import', MT_BENCH);
    models = readdirSync(path.join(MT_BENCH, 'model_answer')).map((f) => f.replace(/\.jsonl$/, '')).filter((m) => /gpt-4|claude-v1/.test(m)).join(',');
  }
  const name = `screens ${Date.now()}`;
  cli('study', 'create', '--name', name, '--models', models, '--categories', 'coding,math', '--seed', '2', '--show-reference',
    '--instructions', 'Which answer is more helpful, correct and clear? Ignore length.');

  await page.goto('/#/annotate');
  const form = page.getByTestId('identify');
  await expect(form.or(page.getByTestId('new-study'))).toBeVisible();
  const before = (await form.isVisible()) ? '' : ((await page.getByTestId('annotator').textContent()) ?? '');
  if (before) await page.getByTestId('switch-annotator').click();
  await expect(form).toBeVisible();
  await shoot(page, '1-identify');
  await page.getByTestId('annotator-name').fill('screens-annotator');
  await page.getByTestId('annotator-save').click();
  await page.getByTestId('new-study').click();
  await expect(page.getByTestId('study-form')).toBeVisible();
  await shoot(page, '2-studies-form');
  await page.getByTestId('new-study').click();
  await expect(page.getByTestId('study-form')).toHaveCount(0);
  await shoot(page, '2-studies');

  await page.locator(`li[data-study="${name}"]`).getByTestId('open-study').click();
  await expect(page.getByTestId('item')).toBeVisible();
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  const shot = new Set<string>();
  for (let i = 0; i < 40 && shot.size < 4; i++) {
    const item = page.getByTestId('item');
    const turn = await item.getAttribute('data-turn');
    const cat = (await item.locator('.qhead').textContent())?.trim().split(' ')[0]?.toLowerCase() ?? '';
    const k = `${cat}-turn${turn}`;
    if (!shot.has(k) && (cat === 'coding' || cat === 'math')) {
      await page.waitForTimeout(300); // KaTeX fonts
      await shoot(page, `3-item-${k}`);
      shot.add(k);
    }
    const key = await item.getAttribute('data-item');
    await page.keyboard.press(i === 0 ? 's' : '3');
    if (i === 0) {
      await page.getByTestId('skip-reason').fill('screenshot skip');
      await page.getByTestId('skip-reason').press('Enter');
    }
    await expect.poll(() => page.getByTestId('item').getAttribute('data-item')).not.toBe(key);
  }
  await page.keyboard.press('?');
  await expect(page.getByTestId('shortcut-sheet')).toBeVisible();
  await shoot(page, '4-shortcuts');
  await page.keyboard.press('Escape');

  if (before) await page.evaluate((n) => (window as unknown as { go: { app: { App: { SetAnnotator(n: string): Promise<void> } } } }).go.app.App.SetAnnotator(n), before);
});
