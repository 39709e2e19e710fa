// Issue 4: the judge screen against a fake OpenAI-compatible server
// (fake-openai.mjs, started by playwright.config.ts on the app port + 2 and
// requiring FAKE_KEY). In a fresh database holding the demo study: save a
// typed API key (never shown again), dry run, start, cancel part-way, resume
// to completion, and inspect a verdict with both orders side by side.
import { expect, test, type Page } from '@playwright/test';
import { existsSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { BASE_URL, FAKE_OPENAI_PORT, backendInfo, watchRequests } from './helpers';

const FAKE_URL = `http://127.0.0.1:${FAKE_OPENAI_PORT}/v1`;
const FAKE_KEY = 'sk-concord-e2e-9f3a1c7d5b'; // = FAKE_OPENAI_KEY in playwright.config.ts
const UNSET_ENV = 'CONCORD_E2E_UNSET_KEY_VAR'; // so the run takes the saved key file
const JUDGE = 'e2e-judge';

// Where the app keeps a typed key (Go's os.UserConfigDir()/concord/api_key).
// The Playwright config starts the app with XDG_CONFIG_HOME = CONCORD_E2E_CONFIG.
const keyFile = path.join(
  process.env.CONCORD_E2E_CONFIG || process.env.XDG_CONFIG_HOME || path.join(homedir(), '.config'),
  'concord',
  'api_key',
);

async function num(page: Page, id: string): Promise<number> {
  return Number((await page.getByTestId(id).textContent())?.replace(/[,\s]/g, ''));
}

async function expectKeyAbsent(page: Page) {
  expect(await page.content()).not.toContain(FAKE_KEY);
  const values = await page.locator('input').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
  expect(values.join('\n')).not.toContain(FAKE_KEY);
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  expect(stored).not.toContain(FAKE_KEY);
}

test('configure a judge, dry run, run, cancel, resume and inspect a verdict', async ({ page }, testInfo) => {
  test.skip(existsSync(keyFile), `a saved API key already exists at ${keyFile}; not overwriting it (set XDG_CONFIG_HOME to a temporary folder)`);
  test.setTimeout(120_000);
  const foreign = watchRequests(page, BASE_URL);
  try {
    await page.goto('/#/judge');
    const info = await backendInfo(page);
    expect(info.model_list.map((m) => m.name)).toEqual(expect.arrayContaining(['demo-aurora', 'demo-basalt', 'demo-cirrus']));
    await expect(page.getByTestId('judge-models').locator('label')).toHaveCount(info.model_list.length);
    // Other specs may have imported more models into the shared database: judge the demo models only.
    for (const name of ['demo-aurora', 'demo-basalt', 'demo-cirrus']) {
      await page.getByTestId('judge-models').locator('label', { hasText: name }).locator('input').check();
    }

    // The judge.
    await page.getByTestId('judge-base-url').fill(FAKE_URL);
    await page.getByTestId('judge-model').fill('gpt-4o-mini'); // priced in the default table
    await page.getByTestId('judge-name').fill(JUDGE);
    await expect(page.getByTestId('judge-temperature')).toHaveValue('0');
    await expect(page.getByTestId('judge-prompt')).toHaveValue('concord');

    // The key: none from the (unset) variable, then typed, saved and gone from the page.
    await page.getByTestId('judge-key-env').fill(UNSET_ENV);
    await expect(page.getByTestId('judge-key-source')).toContainText('none');
    await page.getByTestId('judge-key-input').fill(FAKE_KEY);
    await page.getByTestId('judge-key-save').click();
    await expect(page.getByTestId('judge-key-source')).toContainText('saved key file');
    await expect(page.getByTestId('judge-key-input')).toHaveValue('');
    expect(existsSync(keyFile)).toBe(true);
    await expectKeyAbsent(page);

    // Dry run of every pair of the demo models, both turns, throttled so the run can be cancelled part-way.
    await page.getByTestId('judge-concurrency').fill('1');
    await page.getByTestId('judge-rpm').fill('60');
    await expect(page.getByTestId('judge-start')).toBeDisabled(); // no dry run yet
    await page.getByTestId('judge-dry-run').click();
    await expect(page.getByTestId('judge-plan')).toBeVisible();
    const units = await num(page, 'plan-units');
    const requests = await num(page, 'plan-requests');
    expect(units).toBeGreaterThan(0);
    expect(requests).toBe(2 * units); // both orders of every unit
    expect(await num(page, 'plan-done')).toBe(0);
    await expect(page.getByTestId('plan-cost')).toHaveText(/^(\$\d+\.\d\d|< \$0\.01)$/);
    await expect(page.getByTestId('judge-plan')).toContainText('key file');
    await expectKeyAbsent(page);

    // Start, then cancel after a few games.
    await page.getByTestId('judge-start').click();
    const progress = page.getByTestId('judge-progress');
    await expect(progress).toHaveAttribute('data-running', 'true');
    await expect(page.getByTestId('progress-total')).toHaveText(String(requests));
    await expect.poll(() => num(page, 'progress-done'), { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
    await page.getByTestId('judge-cancel').click();
    await expect(progress).toHaveAttribute('data-running', 'false');
    await expect(progress).toContainText('Cancelled');
    const doneFirst = await num(page, 'progress-done');
    expect(doneFirst).toBeLessThan(requests);
    await expect(page.getByTestId('progress-errors')).toHaveText('0');

    // Resume without limits: the dry run counts the finished games and plans only the rest.
    await page.getByTestId('judge-rpm').fill('0');
    await page.getByTestId('judge-concurrency').fill('8');
    await expect(page.getByTestId('judge-start')).toBeDisabled(); // the plan is stale
    await page.getByTestId('judge-dry-run').click();
    await expect(page.getByTestId('judge-plan')).not.toHaveClass(/stale/);
    const done = await num(page, 'plan-done');
    expect(done).toBeGreaterThanOrEqual(2);
    expect(await num(page, 'plan-requests')).toBe(requests - done);
    await expect(page.getByTestId('judge-start')).toHaveText(/Resume/);
    await page.getByTestId('judge-start').click();
    await expect(progress).toContainText('Finished', { timeout: 60_000 });
    expect(await num(page, 'progress-done')).toBe(requests - done);
    await expect(page.getByTestId('progress-errors')).toHaveText('0');
    expect(await num(page, 'progress-rate')).toBeGreaterThan(0);

    // Nothing is left: a new dry run plans no requests.
    await expect.poll(() => num(page, 'plan-requests')).toBe(0);
    expect(await num(page, 'plan-done')).toBe(requests);

    // Every unit has exactly one verdict, with both games.
    await expect(page.getByTestId('verdicts-judge')).toHaveValue(JUDGE);
    const rows = page.getByTestId('verdict-row');
    await expect(rows).toHaveCount(units);
    const verdicts = await page.evaluate(
      (j) => (window as unknown as { go: { app: { App: { JudgeVerdicts(j: string, q: number): Promise<{ g1?: unknown; g2?: unknown; combined: string }[]> } } } }).go.app.App.JudgeVerdicts(j, 0),
      JUDGE,
    );
    expect(verdicts).toHaveLength(units);
    expect(verdicts.every((v) => v.g1 && v.g2 && v.combined !== 'error')).toBe(true);

    // Inspect one: the question, both answers, both orders' explanations side by side.
    await rows.first().click();
    const inspect = page.getByTestId('verdict-inspect');
    await expect(inspect).toBeVisible();
    await expect(inspect.getByTestId('inspect-answer')).toHaveCount(2);
    for (const g of [1, 2]) {
      await expect(page.getByTestId(`inspect-judgment-${g}`)).toContainText('Final verdict: [[');
      await expect(page.getByTestId(`inspect-judgment-${g}`).locator('strong').first()).toHaveText('Assessment.'); // rendered Markdown
      await expect(page.getByTestId(`inspect-letter-${g}`)).toHaveText(/^\[\[[ABC]\]\]$/);
    }
    const g1 = await page.getByTestId('inspect-game-1').boundingBox();
    const g2 = await page.getByTestId('inspect-game-2').boundingBox();
    expect(g1 && g2 && Math.abs(g1.y - g2.y) < 2 && g2.x > g1.x).toBe(true); // side by side
    await expect(page.getByTestId('toast-error')).toHaveCount(0);
    await expect(page.getByTestId(/^toast-/)).toHaveCount(0, { timeout: 10_000 }); // info toasts fade; errors would stay
    await page.getByTestId('inspect-game-1').scrollIntoViewIfNeeded();
    await page.screenshot({ path: testInfo.outputPath('judge-inspect.png') });

    await expectKeyAbsent(page);
    expect(foreign).toEqual([]); // the page itself never talks to the judge server

    // Forget the key: the file goes away.
    await page.getByTestId('judge-key-forget').click();
    await expect(page.getByTestId('judge-key-source')).toContainText('none');
    expect(existsSync(keyFile)).toBe(false);
  } finally {
    rmSync(keyFile, { force: true }); // this test created it
  }
});
