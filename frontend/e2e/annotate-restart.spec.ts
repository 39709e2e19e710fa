// Issue 3, durability end to end: this spec runs its OWN dev app (port
// CONCORD_E2E_PORT + 4, its own database), votes by keyboard, kills the whole
// app process group with SIGKILL the moment the next item shows, restarts it
// on the same database, and checks that (a) every vote whose next item had
// appeared is in `concord export votes` and (b) the window resumes at the
// item that was showing when the app died.
import { expect, test, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { APP_PORT, cliOn } from './helpers';

const frontend = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DEV = path.resolve(frontend, process.env.CONCORD_DEV_BIN ?? '../build/bin/concord-dev');
const DIST = path.resolve(frontend, process.env.CONCORD_E2E_DIST ?? 'dist');
const PORT = APP_PORT + 4;
const URL = `http://127.0.0.1:${PORT}`;
const WHO = 'restart-annotator';

const dir = mkdtempSync(path.join(tmpdir(), 'concord-restart-'));
const DB = path.join(dir, 'concord.db');

let app: ChildProcess | undefined;

/** startApp runs the dev app under xvfb-run in its own process group and waits until it serves. */
async function startApp(): Promise<ChildProcess> {
  if (await serving()) throw new Error(`port ${PORT} is already taken; stop what serves ${URL}`);
  const child = spawn(
    'xvfb-run',
    ['-a', '-s', '-screen 0 1280x1024x24', DEV, '--db', DB, '-assetdir', DIST, '-devserver', `127.0.0.1:${PORT}`],
    { detached: true, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, XDG_CONFIG_HOME: dir } },
  );
  let stderr = '';
  child.stderr?.on('data', (b) => (stderr = (stderr + String(b)).slice(-4000)));
  const deadline = Date.now() + 90_000;
  while (!(await serving())) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`dev app exited early:\n${stderr}`);
    if (Date.now() > deadline) {
      killGroup(child);
      throw new Error(`dev app did not serve ${URL} within 90 s:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return child;
}

async function serving(): Promise<boolean> {
  try {
    return (await fetch(URL, { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
}

/** killGroup sends SIGKILL to the app's whole process group (xvfb-run, Xvfb, the app). */
function killGroup(child: ChildProcess | undefined) {
  if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => child.once('exit', () => r()));
}

async function itemKey(page: Page): Promise<string> {
  return (await page.getByTestId('item').getAttribute('data-item')) ?? '';
}

// Whatever happens, the process group goes.
test.afterAll(async () => {
  killGroup(app);
  if (app) await exited(app);
});
process.once('exit', () => killGroup(app));

test('votes whose next item appeared survive kill -9, and the window resumes at that item', async ({ page }) => {
  test.setTimeout(240_000);
  app = await startApp(); // a new database: the app seeds the demo data
  cliOn(DB, 'study', 'create', '--name', 'restart', '--models', 'demo-aurora,demo-basalt,demo-cirrus', '--seed', '11');

  await page.goto(`${URL}/#/annotate`);
  await page.getByTestId('annotator-name').fill(WHO);
  await page.getByTestId('annotator-save').click();
  await page.locator('li[data-study="restart"]').getByTestId('open-study').click();
  await expect(page.getByTestId('item')).toBeVisible();
  // The study is in the route, so the window can come back to it.
  const at = page.url();
  expect(at).toMatch(/#\/annotate\/\d+$/);
  await page.locator('body').click({ position: { x: 5, y: 5 } });

  const keys: [string, 'A' | 'B' | 'tie' | 'both_bad'][] = [
    ['1', 'A'], ['ArrowRight', 'B'], ['3', 'tie'], ['4', 'both_bad'], ['ArrowDown', 'tie'], ['ArrowLeft', 'A'], ['2', 'B'],
  ];
  const voted: string[] = [];
  let showing = await itemKey(page);
  for (const [i, [key]] of keys.entries()) {
    const before = showing;
    await page.keyboard.press(key);
    // The next item is on screen: its vote has committed (Vote resolves after the commit).
    await page.waitForFunction(
      (b) => document.querySelector('[data-testid="item"]')?.getAttribute('data-item') !== b,
      before,
      { polling: 'raf', timeout: 15_000 },
    );
    voted.push(before);
    if (i === keys.length - 1) {
      killGroup(app); // straight away: no graceful shutdown, no checkpoint
      showing = await itemKey(page).catch(() => '');
      break;
    }
    showing = await itemKey(page);
  }
  await exited(app!);
  expect(showing, 'the item on screen when the app was killed').not.toBe('');
  expect(new Set(voted).size).toBe(keys.length);

  // (a) every vote whose next item had appeared is in the export.
  const rows = cliOn(DB, 'export', 'votes')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { judge: string; winner: string; turn: number })
    .filter((r) => r.judge === WHO);
  expect(rows, 'votes in the export after kill -9').toHaveLength(keys.length);
  const kinds = (w: string) => (w === 'tie' ? 'tie' : w === 'tie (bothbad)' ? 'both_bad' : 'decisive');
  const want = keys.map(([, v]) => (v === 'A' || v === 'B' ? 'decisive' : v)).sort();
  expect(rows.map((r) => kinds(r.winner)).sort()).toEqual(want);

  // (b) restarted on the same database, the window comes back to the item it was showing.
  app = await startApp();
  // A fresh page load (the old page's bindings died with the app; going to
  // the same URL and hash again would not reload it).
  await page.goto('about:blank');
  await page.goto(at);
  await expect(page.getByTestId('item')).toBeVisible();
  expect(await itemKey(page)).toBe(showing);
  await expect(page.getByTestId('progress')).toHaveAttribute('data-done', String(keys.length));
  expect(voted).not.toContain(showing);

  // And it still votes: the next vote lands and moves on.
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('3');
  await expect.poll(() => itemKey(page)).not.toBe(showing);
  await expect(page.getByTestId('progress')).toHaveAttribute('data-done', String(keys.length + 1));

  killGroup(app);
  await exited(app);
});
