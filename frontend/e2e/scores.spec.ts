// Issue 10: single-answer grading end to end. The shared MT-Bench data
// (with FastChat's GPT-4 single ratings) is imported through the Home
// screen, and the report's Scores section shows the backend's numbers; then
// a single-answer run on the Judge screen against the fake OpenAI server
// (fake-openai.mjs rates when the prompt asks for "Rating: [[N]]").
import { expect, test, type Page } from '@playwright/test';
import { existsSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FAKE_OPENAI_PORT, backendInfo } from './helpers';

const here = path.dirname(fileURLToPath(import.meta.url));
const DATA = path.resolve(here, '../../../shared/data');
const haveData = existsSync(path.join(DATA, 'mt_bench/model_judgment/gpt-4_single.jsonl'));
const FAKE_URL = `http://127.0.0.1:${FAKE_OPENAI_PORT}/v1`;
const FAKE_KEY = 'sk-concord-e2e-9f3a1c7d5b'; // = FAKE_OPENAI_KEY in playwright.config.ts
const keyFile = path.join(process.env.CONCORD_E2E_CONFIG || process.env.XDG_CONFIG_HOME || path.join(homedir(), '.config'), 'concord', 'api_key');

type ScoreRow = { rank: number; model: string; score: { mean: number | null; n: number } };
type Bindings = {
  go: { app: { App: { Report(o: unknown): Promise<{ scores: { judges: { leaderboard: ScoreRow[]; separability: string[]; close_calls: unknown[] }[] } | null }> } } };
};

test.describe.configure({ mode: 'serial' });

/** importThroughUI imports each path in turn with the Home screen's path
 * field (preview, then import), waiting for a file of it (marker) in the result. */
async function importThroughUI(page: Page, paths: [string, string][]) {
  await page.goto('/#/home');
  for (const [p, marker] of paths) {
    await page.getByTestId('import-path').fill(p);
    await page.getByTestId('import-submit').click(); // the preview (a dry run) first
    await page.getByTestId('import-confirm').click({ timeout: 60_000 });
    await expect(page.getByTestId('import-result')).toContainText(marker, { timeout: 60_000 });
  }
}

test('the Scores section shows the MT-Bench scores of the imported single ratings', async ({ page }) => {
  test.skip(!haveData, `shared MT-Bench data not found at ${DATA}`);
  test.setTimeout(120_000);
  await importThroughUI(page, [
    [path.join(DATA, 'mt_bench'), 'gpt-4_single.jsonl'],
    [path.join(DATA, 'mt_bench_human_judgments'), 'human.csv'],
  ]);
  await expect(page.getByTestId('import-result').getByTestId('import-kind').first()).toBeVisible();
  const info = await backendInfo(page);
  expect((info as unknown as { judge_ratings: Record<string, number> }).judge_ratings['gpt-4']).toBe(960);

  await page.getByTestId('nav-report').click();
  await page.getByTestId('report-judge').selectOption('gpt-4');
  const panel = page.getByTestId('panel-scores');
  await expect(panel).toBeVisible({ timeout: 30_000 });
  const rows = panel.getByTestId('scores-leaderboard').locator('tbody tr');
  await expect(rows).toHaveCount(6);

  // The backend's numbers, through the same binding the screen uses.
  const report = await page.evaluate(
    () => (window as unknown as Bindings).go.app.App.Report({ judge: 'gpt-4', humans: 'all', turn: 0, bootstrap: 0, seed: 1 }),
  );
  const board = report.scores!.judges[0].leaderboard;
  expect(board.map((r) => r.model)).toEqual(['gpt-4', 'gpt-3.5-turbo', 'claude-v1', 'vicuna-13b-v1.3', 'alpaca-13b', 'llama-13b']);
  for (const [i, r] of board.entries()) {
    const cells = rows.nth(i).locator('td');
    await expect(cells.nth(1)).toHaveText(r.model);
    await expect(cells.nth(2)).toContainText(r.score.mean!.toFixed(2));
  }
  // show_result.py's figures (the data README), to the two decimals shown.
  await expect(rows.nth(0).locator('td').nth(2)).toContainText('8.99');
  await expect(rows.nth(1).locator('td').nth(2)).toContainText('7.94');
  await expect(rows.nth(2).locator('td').nth(2)).toContainText('7.90');
  await expect(panel.getByTestId('scores-separability')).toContainText('gpt-3.5-turbo (#2) and claude-v1 (#3) are not separable');
  await expect(panel.getByTestId('scores-heatmap').locator('.cell')).toHaveCount(6 * 8);
  await expect(panel.getByTestId('chart-scores-histogram').locator('canvas')).toHaveAttribute('data-drawn', 'true');
  // Every pair of models with ratings and votes (other specs may have added votes to this database).
  const calls = report.scores!.judges[0].close_calls.length;
  expect(calls).toBeGreaterThanOrEqual(10);
  await expect(panel.getByTestId('scores-close-calls').locator('tbody tr')).toHaveCount(calls);
  await expect(panel.getByTestId('scores-scope')).toContainText('vicuna-13b-v1.2');
  await expect(panel.getByTestId('scores-style')).toContainText('style-adjusted');

  // The disagreement browser shows both answers' ratings beside the verdicts.
  await page.getByTestId('dis-item').filter({ hasNotText: 'vicuna-13b-v1.2' }).first().click();
  for (const side of ['a', 'b']) await expect(page.getByTestId(`dis-rating-${side}`)).toContainText('/ 10');
});

test('a single-answer run on the Judge screen rates every answer once', async ({ page }, testInfo) => {
  test.skip(existsSync(keyFile), `a saved API key already exists at ${keyFile}; not overwriting it`);
  test.setTimeout(120_000);
  const models = ['demo-aurora', 'demo-basalt'];
  // A judge of its own per repetition (--repeat-each shares one database).
  const JUDGE = testInfo.repeatEachIndex > 0 ? `e2e-single-${testInfo.repeatEachIndex}` : 'e2e-single';
  try {
    await page.goto('/#/judge');
    for (const m of models) await page.getByTestId('judge-models').locator('label', { hasText: m }).locator('input').check();
    await page.getByTestId('judge-base-url').fill(FAKE_URL);
    await page.getByTestId('judge-model').fill('gpt-4o-mini');
    await page.getByTestId('judge-name').fill(JUDGE);
    await page.getByTestId('judge-grading').selectOption('single');
    await expect(page.getByTestId('judge-prompt').locator('option')).toHaveText([/^concord/, /^fastchat/]);
    await page.getByTestId('judge-key-env').fill('CONCORD_E2E_UNSET_KEY_VAR');
    await page.getByTestId('judge-key-input').fill(FAKE_KEY);
    await page.getByTestId('judge-key-save').click();
    await expect(page.getByTestId('judge-key-source')).toContainText('saved key file');

    await page.getByTestId('judge-dry-run').click();
    await expect(page.getByTestId('judge-plan')).toBeVisible();
    await expect(page.getByTestId('judge-plan')).not.toHaveClass(/stale/);
    await expect(page.getByTestId('plan-requests')).toHaveText(/^[1-9][\d,]*$/);
    const requests = Number(await page.getByTestId('plan-requests').textContent());
    const units = Number(await page.getByTestId('plan-units').textContent());
    expect(requests).toBeGreaterThan(0);
    expect(requests).toBe(units); // one request per answer and turn

    // The panel may still show an earlier run of this app (another test's): wait for this run's end.
    const progress = page.getByTestId('judge-progress');
    const before = (await progress.count()) > 0 ? await progress.getAttribute('data-run-id') : null;
    await page.getByTestId('judge-start').click();
    await expect(progress).not.toHaveAttribute('data-run-id', before ?? '');
    await expect(progress).toHaveAttribute('data-outcome', 'finished', { timeout: 60_000 });
    await expect(page.getByTestId('progress-errors')).toHaveText('0');
    await expect(page.getByTestId('progress-noun')).toHaveText('ratings');
    const info = (await backendInfo(page)) as unknown as { judge_ratings: Record<string, number> };
    expect(info.judge_ratings[JUDGE]).toBe(requests);

    // The Ratings browser lists this judge's grades; a row opens the explanation.
    const card = page.getByTestId('card-judge-ratings');
    await card.getByTestId('ratings-judge').selectOption(JUDGE);
    await expect(card.getByTestId('rating-row')).toHaveCount(Math.min(requests, 200));
    await expect(card.getByTestId('ratings-filter-error')).toContainText('0');
    await card.getByTestId('rating-row').first().click();
    await expect(card.getByTestId('rating-detail')).toContainText(/turn [12]/);
    await expect(card.getByTestId('rating-detail').locator('.md, p').first()).not.toBeEmpty();

    // Resumed: nothing left to rate.
    await expect.poll(async () => Number(await page.getByTestId('plan-requests').textContent())).toBe(0);
    expect(await page.content()).not.toContain(FAKE_KEY);
  } finally {
    rmSync(keyFile, { force: true }); // this test created it
  }
});
