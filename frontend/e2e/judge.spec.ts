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
const JUDGE_NAME = 'e2e-judge';

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
  // A judge of its own per repetition (--repeat-each shares one database).
  const JUDGE = testInfo.repeatEachIndex > 0 ? `${JUDGE_NAME}-${testInfo.repeatEachIndex}` : JUDGE_NAME;
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
    const firstRun = await progress.getAttribute('data-run-id');
    await page.getByTestId('judge-cancel').click();
    await expect(progress).toHaveAttribute('data-running', 'false');
    await expect(progress).toHaveAttribute('data-outcome', 'cancelled');
    await expect(page.getByTestId('progress-outcome')).toHaveText('Cancelled');
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
    // The resumed run is a new run; wait for its end (not for text the cancelled run's panel shows).
    await expect(progress).not.toHaveAttribute('data-run-id', firstRun ?? '');
    await expect(progress).toHaveAttribute('data-outcome', 'finished', { timeout: 60_000 });
    await expect(page.getByTestId('progress-outcome')).toHaveText('Finished');
    // The run's final counters, whatever order its events arrived in; they stay put.
    expect(await num(page, 'progress-done')).toBe(requests - done);
    expect(await num(page, 'progress-total')).toBe(requests - done);
    await page.waitForTimeout(500);
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

// ---- a refused key, a study's items, the price table ------------------------

const DEMO_MODELS = ['demo-aurora', 'demo-basalt', 'demo-cirrus'];
const WRONG_KEY = 'sk-concord-e2e-wrong-4d2b8e6a1f';

type Bindings = Record<string, (...args: unknown[]) => Promise<unknown>>;

async function fakeCounts(): Promise<{ requests: number; unauthorized: number }> {
  const r = await fetch(`http://127.0.0.1:${FAKE_OPENAI_PORT}/health`);
  return (await r.json()) as { requests: number; unauthorized: number };
}

/** configure fills in a judge of the fake server, judging the demo models. */
async function configure(page: Page, name: string) {
  await page.goto('/#/judge');
  for (const m of DEMO_MODELS) {
    await page.getByTestId('judge-models').locator('label', { hasText: m }).locator('input').check();
  }
  await page.getByTestId('judge-base-url').fill(FAKE_URL);
  await page.getByTestId('judge-model').fill('gpt-4o-mini');
  await page.getByTestId('judge-name').fill(name);
  await page.getByTestId('judge-key-env').fill(UNSET_ENV);
}

test('a wrong API key stops the run at once with a clear message', async ({ page }) => {
  test.skip(existsSync(keyFile), `a saved API key already exists at ${keyFile}; not overwriting it`);
  try {
    await configure(page, 'e2e-judge-401');
    await page.getByTestId('judge-key-input').fill(WRONG_KEY);
    await page.getByTestId('judge-key-save').click();
    await expect(page.getByTestId('judge-key-source')).toContainText('saved key file');
    await page.getByTestId('judge-dry-run').click();
    await expect(page.getByTestId('judge-plan')).toBeVisible();
    const requests = await num(page, 'plan-requests');
    expect(requests).toBeGreaterThan(8);

    const before = await fakeCounts();
    const started = Date.now();
    await page.getByTestId('judge-start').click();
    const progress = page.getByTestId('judge-progress');
    await expect(progress).toHaveAttribute('data-outcome', 'stopped', { timeout: 10_000 });
    const took = Date.now() - started;
    await expect(page.getByTestId('progress-outcome')).toHaveText('Stopped');
    await expect(page.getByTestId('judge-run-error')).toContainText('the server refused the API key (Unauthorized)');
    await expect(page.getByTestId('toast-error')).toContainText('refused the API key');
    expect(await num(page, 'progress-done')).toBe(0);
    expect(await num(page, 'progress-total')).toBe(requests);
    // At once: no retries, at most one request per worker (8 by default), and no games stored.
    const after = await fakeCounts();
    expect(after.unauthorized - before.unauthorized).toBeGreaterThan(0);
    expect(after.unauthorized - before.unauthorized).toBeLessThanOrEqual(8);
    expect(after.requests).toBe(before.requests);
    expect(took).toBeLessThan(5_000);
    await expect(page.getByTestId('judge-start')).toHaveText(/Resume/);
    const verdicts = await page.evaluate(
      () => (window as unknown as { go: { app: { App: Bindings } } }).go.app.App.JudgeVerdicts('e2e-judge-401', 0) as Promise<unknown[] | null>,
    );
    expect(verdicts ?? []).toHaveLength(0);
    // The server quoted the wrong key back; Concord scrubbed it.
    expect(await page.content()).not.toContain(WRONG_KEY);
    await page.getByTestId('judge-key-forget').click();
    await expect(page.getByTestId('judge-key-source')).toContainText('none');
  } finally {
    rmSync(keyFile, { force: true });
  }
});

test("judge a study's items: the plan covers exactly its units", async ({ page }) => {
  await page.goto('/#/judge');
  const study = (await page.evaluate(
    (models) =>
      (window as unknown as { go: { app: { App: Bindings } } }).go.app.App.CreateStudy({
        name: `e2e judge study ${Date.now()}`,
        instructions: '',
        models,
        pairs: null,
        categories: null,
        turns: [1],
        sample: 4,
        seed: 11,
        show_reference: false,
      }),
    DEMO_MODELS.slice(0, 2),
  )) as { id: number; name: string; items: number; units: number };
  expect(study.units).toBe(4); // 4 items of one pair, turn 1 only

  await configure(page, 'e2e-judge-study');
  await page.reload(); // the study list is read when the screen opens
  await page.getByTestId('judge-mode-study').check();
  await page.getByTestId('judge-study').selectOption(String(study.id));
  await expect(page.getByTestId('judge-study-summary')).toContainText(`${study.items} items`);
  await expect(page.getByTestId('judge-categories')).toHaveCount(0); // the study decides
  await page.getByTestId('judge-dry-run').click();
  await expect(page.getByTestId('judge-plan')).toBeVisible();
  expect(await num(page, 'plan-units')).toBe(study.units);
  expect(await num(page, 'plan-requests')).toBe(2 * study.units);

  // Back to all pairs of the demo models: the plan is stale, and a new one is larger.
  await page.getByTestId('judge-mode-models').check();
  await expect(page.getByTestId('judge-plan')).toHaveClass(/stale/);
  await page.getByTestId('judge-dry-run').click();
  await expect(page.getByTestId('judge-plan')).not.toHaveClass(/stale/);
  expect(await num(page, 'plan-units')).toBeGreaterThan(study.units);
});

test('edit the price table: checked, saved to the config folder, used by the dry run', async ({ page }) => {
  await configure(page, 'e2e-judge-prices');
  await expect(page.getByTestId('price-summary')).toHaveText(/^gpt-4o-mini: \$\d+\.\d\d in \/ \$\d+\.\d\d out per million tokens\.$/);
  await expect(page.getByTestId('price-row')).toHaveCount(0); // folded until asked for
  await page.getByTestId('price-edit').click();
  const table = page.getByTestId('prices');
  const match = table.locator('[data-testid="price-row"][data-match="true"]');
  await expect(match).toHaveCount(1);
  await expect(match.getByTestId('price-model')).toHaveValue('gpt-4o-mini');
  const original = [await match.getByTestId('price-input').inputValue(), await match.getByTestId('price-output').inputValue()];
  await expect(page.getByTestId('prices-file')).toHaveText(/concord[/\\]prices\.json$/);

  try {
    // A negative price is refused on the screen, and nothing is saved.
    await match.getByTestId('price-input').fill('-1');
    await page.getByTestId('price-save').click();
    await expect(page.getByTestId('price-problem')).toHaveText('gpt-4o-mini: the input price must be a number, 0 or more');
    const saved = (await page.evaluate(() => (window as unknown as { go: { app: { App: Bindings } } }).go.app.App.JudgePrices())) as {
      rows: { model: string; input_per_million: number }[];
    };
    expect(saved.rows.find((r) => r.model === 'gpt-4o-mini')?.input_per_million).toBe(Number(original[0]));
    // Go checks too: a direct call with a negative price is refused.
    const refused = await page.evaluate(() =>
      (window as unknown as { go: { app: { App: Bindings } } }).go.app.App.SaveJudgePrices([{ model: 'x', input_per_million: -1, output_per_million: 0 }]).then(
        () => '',
        (e: unknown) => String(e),
      ),
    );
    expect(refused).toContain('not a non-negative number');

    // A real price: saved, and the dry run's cost follows it.
    await match.getByTestId('price-input').fill('1000');
    await match.getByTestId('price-output').fill('0');
    await page.getByTestId('price-save').click();
    await expect(page.getByTestId('price-problem')).toHaveCount(0);
    await expect(page.getByTestId('price-save')).toBeDisabled();
    await expect(page.getByTestId('price-summary')).toHaveText('gpt-4o-mini: $1000.00 in / $0.00 out per million tokens.');
    await page.getByTestId('judge-dry-run').click();
    await expect(page.getByTestId('judge-plan')).toContainText('$1000.00 / $0.00 per million');
    const plan = (await page.evaluate(
      (req) => (window as unknown as { go: { app: { App: Bindings } } }).go.app.App.JudgeDryRun(req),
      { name: 'e2e-judge-prices', baseUrl: FAKE_URL, model: 'gpt-4o-mini', models: DEMO_MODELS, apiKeyEnv: UNSET_ENV },
    )) as { tokensIn: number; cost: number };
    expect(plan.cost).toBeCloseTo((plan.tokensIn / 1e6) * 1000, 6);
    await expect(page.getByTestId('plan-cost')).toHaveText(`$${plan.cost >= 100 ? Math.round(plan.cost).toLocaleString('en-US') : plan.cost.toFixed(2)}`);
  } finally {
    // Put the price back for the specs that follow.
    await page.evaluate(
      ([input, output]) =>
        (window as unknown as { go: { app: { App: Bindings } } }).go.app.App.JudgePrices().then((t) => {
          const rows = (t as { rows: { model: string; input_per_million: number; output_per_million: number }[] }).rows.map((r) =>
            r.model === 'gpt-4o-mini' ? { ...r, input_per_million: Number(input), output_per_million: Number(output) } : r,
          );
          return (window as unknown as { go: { app: { App: Bindings } } }).go.app.App.SaveJudgePrices(rows);
        }),
      original,
    );
  }
});
