// Issue 13: the verbosity probe from the Judge screen against the fake
// OpenAI-compatible server switched to prefer the longer answer (POST
// /control/verbose?on=1). A plain run of the same judge first, so that the
// report can also compare it with demo-judge; then the probe, whose progress
// shows in the experiments panel; the report shows a failure rate of 100%
// (the padded copy is always longer) and the comparison's cost per verdict.
// Screenshots of the panel and the report's sections go to the test's output.
import { expect, test, type Page } from '@playwright/test';
import { FAKE_OPENAI_PORT } from './helpers';

const FAKE = `http://127.0.0.1:${FAKE_OPENAI_PORT}`;
const FAKE_KEY = 'sk-concord-e2e-9f3a1c7d5b'; // = FAKE_OPENAI_KEY in playwright.config.ts
const JUDGE = 'e2e-verbose';

async function setVerbose(page: Page, on: boolean): Promise<void> {
  const r = await page.request.post(`${FAKE}/control/verbose?on=${on ? 1 : 0}`);
  expect(r.ok()).toBe(true);
}

test('the verbosity probe catches a judge that prefers the longer answer', async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  await setVerbose(page, true);
  try {
    await page.goto('/#/judge');
    for (const name of ['demo-aurora', 'demo-basalt', 'demo-cirrus']) {
      await page.getByTestId('judge-models').locator('label', { hasText: name }).locator('input').check();
    }
    await page.getByTestId('judge-base-url').fill(`${FAKE}/v1`);
    await page.getByTestId('judge-model').fill('gpt-4o-mini'); // priced in the default table
    await page.getByTestId('judge-name').fill(JUDGE);
    await page.getByTestId('judge-key-env').fill('CONCORD_E2E_UNSET_KEY_VAR');
    if (!(await page.getByTestId('judge-key-source').textContent())?.includes('saved key file')) {
      await page.getByTestId('judge-key-input').fill(FAKE_KEY);
      await page.getByTestId('judge-key-save').click();
      await expect(page.getByTestId('judge-key-source')).toContainText('saved key file');
    }

    // A plain run of the judge, for the comparison.
    await page.getByTestId('judge-concurrency').fill('8');
    await page.getByTestId('judge-dry-run').click();
    await expect(page.getByTestId('judge-plan')).toBeVisible();
    await page.getByTestId('judge-start').click();
    await expect(page.getByTestId('progress-outcome')).toHaveText('Finished', { timeout: 60_000 });

    // The probe, from the experiments panel.
    const panel = page.getByTestId('card-judge-experiments');
    await panel.scrollIntoViewIfNeeded();
    await expect(panel.getByTestId('probe-kind')).toHaveValue('verbosity');
    await panel.getByTestId('probe-sample').fill('10');
    await panel.getByTestId('probe-run').click();
    const progress = panel.getByTestId('probe-progress');
    await expect(progress).toBeVisible();
    await expect(progress).toHaveAttribute('data-running', 'false', { timeout: 60_000 });
    await expect(progress).toContainText(`${JUDGE}@verbosity-`);
    const results = panel.getByTestId('probe-results');
    await expect(results).toContainText('failure rate 100.0%');
    await expect(page.getByTestId(/^toast-/)).toHaveCount(0, { timeout: 10_000 }); // let the toasts fade before the picture
    await panel.screenshot({ path: testInfo.outputPath('experiments-panel.png') });

    // The report: the experiment on the judge, and the comparison with demo-judge.
    await page.goto('/#/report');
    await page.getByTestId('report-judge').selectOption(JUDGE);
    await page.getByTestId('report-compare').selectOption('demo-judge');
    const exps = page.getByTestId('panel-experiments');
    await expect(exps.getByTestId('experiment-verbosity')).toBeVisible({ timeout: 30_000 });
    await expect(exps.getByTestId('experiment-failure-rate')).toHaveText('100.0%');
    // Every item judged (the demo holds one answer with a list, so one item; MT-Bench gives the paper's 23).
    await expect(exps.getByTestId('experiment-verbosity').locator('td').nth(2)).toHaveText(/^(\d+)\/\1$/);
    const cmp = page.getByTestId('panel-comparison');
    await expect(cmp.getByTestId('comparison-row')).toHaveCount(2);
    await expect(cmp.getByTestId('comparison-cost').first()).toHaveText(/^\$0\.\d{5} \d+ in, \d+ out$/); // gpt-4o-mini, priced
    await expect(cmp.getByTestId('comparison-cost').nth(1)).toHaveText(/^n\/a/); // demo-judge: imported, no tokens
    await exps.screenshot({ path: testInfo.outputPath('report-experiments.png') });
    await cmp.screenshot({ path: testInfo.outputPath('report-comparison.png') });
    await expect(page.getByTestId('toast-error')).toHaveCount(0);
  } finally {
    await setVerbose(page, false);
  }
});
