// Issue 15: a batch run from the Judge screen against the fake's Batch API
// (fake-openai.mjs), surviving a killed app. The test runs an app of its own
// (on the app port + 3, over a fresh database) so that it can kill it: start
// a batch run, kill the app while the provider holds the batch in progress,
// start the app again, watch the batch complete, and read the verdicts (or,
// in single mode, the ratings).
import { expect, test } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { APP_PORT, FAKE_OPENAI_PORT } from './helpers';

const FAKE = `http://127.0.0.1:${FAKE_OPENAI_PORT}`;
const FAKE_KEY = 'sk-concord-e2e-9f3a1c7d5b'; // = FAKE_OPENAI_KEY in playwright.config.ts
const KEY_VAR = 'CONCORD_E2E_BATCH_KEY';
const PORT = APP_PORT + 3;
const APP = `http://127.0.0.1:${PORT}`;
const frontend = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const binary = path.resolve(frontend, process.env.CONCORD_DEV_BIN ?? '../build/bin/concord-dev');
const distDir = path.resolve(frontend, process.env.CONCORD_E2E_DIST ?? 'dist');

function startApp(db: string, config: string): ChildProcess {
  return spawn(
    'xvfb-run',
    ['-a', '-s', '-screen 0 1280x1024x24', binary, '--db', db, '-assetdir', distDir, '-devserver', `127.0.0.1:${PORT}`],
    {
      cwd: frontend,
      detached: true, // its own process group, so the kill takes Xvfb and the app too
      stdio: 'ignore',
      env: { ...process.env, XDG_CONFIG_HOME: config, [KEY_VAR]: FAKE_KEY, CONCORD_BATCH_POLL: '200ms' },
    },
  );
}

async function waitUp(url: string, up = true) {
  for (let i = 0; i < 600; i++) {
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok === up) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} is still ${up ? 'down' : 'up'}`);
}

async function kill(p: ChildProcess) {
  const exited = new Promise((r) => p.once('exit', r));
  process.kill(-p.pid!, 'SIGKILL');
  await exited;
  await waitUp(APP, false);
}

const hold = (on: boolean) => fetch(`${FAKE}/control/hold?on=${on ? 1 : 0}`, { method: 'POST' });

for (const mode of ['pairwise', 'single'] as const) test(`a ${mode} batch run from the Judge screen survives a killed app`, async ({ page }) => {
  test.setTimeout(180_000);
  const dir = mkdtempSync(path.join(tmpdir(), 'concord-e2e-batch-'));
  const db = path.join(dir, 'concord.db');
  await hold(true);
  let app = startApp(db, dir);
  try {
    await waitUp(APP);
    await page.goto(`${APP}/#/judge`);
    await page.getByTestId('judge-base-url').fill(`${FAKE}/v1`);
    await page.getByTestId('judge-model').fill('gpt-4o-mini'); // priced in the default table
    const judge = mode === 'single' ? 'e2e-batch-single' : 'e2e-batch';
    await page.getByTestId('judge-name').fill(judge);
    if (mode === 'single') await page.getByTestId('judge-grading').selectOption('single');
    await page.getByTestId('judge-key-env').fill(KEY_VAR);
    await page.getByTestId('judge-turn-1').check();
    await page.getByTestId('judge-turn-2').uncheck();

    // The dry run at the batch discount, then the start.
    await page.getByTestId('batch-switch').check();
    await expect(page.getByTestId('batch-discount')).toHaveValue('50');
    await expect(page.getByTestId('batch-start')).toBeDisabled();
    await page.getByTestId('batch-dry-run').click();
    await expect(page.getByTestId('batch-plan')).toBeVisible();
    const requests = Number(await page.getByTestId('batch-plan-requests').textContent());
    expect(requests).toBeGreaterThan(0);
    if (mode === 'pairwise') expect(requests % 2).toBe(0); // both orders
    await expect(page.getByTestId('batch-plan-parts')).toHaveText('1');
    await page.getByTestId('batch-start').click();
    const row = page.getByTestId('batch-row');
    await expect(row).toHaveCount(1);
    await expect(row).toHaveAttribute('data-status', 'in_progress');
    await expect(row).toHaveAttribute('data-ingested', 'false');

    // Kill the app while the provider works; the provider then finishes.
    await kill(app);
    await hold(false);
    app = startApp(db, dir);
    await waitUp(APP);
    await page.goto(`${APP}/#/judge`);

    // The recorded batch is picked up and its results stored.
    await expect(page.getByTestId('batch-switch')).toBeChecked(); // on, since batches are recorded
    await expect(row).toHaveAttribute('data-ingested', 'true', { timeout: 30_000 });
    await expect(row).toHaveAttribute('data-status', 'completed');
    await expect(row.getByTestId('batch-stored')).toHaveText(String(requests));
    if (mode === 'single') {
      // One rating per answer, read in the Ratings browser.
      await page.getByTestId('ratings-judge').selectOption(judge);
      await expect(page.getByTestId('rating-row')).toHaveCount(Math.min(requests, 200));
    } else {
      await page.getByTestId('verdicts-judge').selectOption(judge);
      await expect(page.getByTestId('verdict-row')).toHaveCount(requests / 2);
    }
    expect(await page.content()).not.toContain(FAKE_KEY);
    const health = await (await fetch(`${FAKE}/health`)).json();
    expect(health.batchLines).toBeGreaterThanOrEqual(requests);
  } finally {
    await hold(false);
    if (app.exitCode === null) process.kill(-app.pid!, 'SIGKILL');
  }
});
