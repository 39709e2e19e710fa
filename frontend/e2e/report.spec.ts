// Issue 6: the report screen on the shared MT-Bench data. The data is imported
// with the headless CLI into the database the dev build serves (the same file),
// before the tests; everything skips when ../../shared/data is absent.
import { expect, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const DATA = path.resolve(here, '../../../shared/data');
const CLI = path.resolve(here, process.env.CONCORD_CLI_BIN ?? '../../build/bin/concord-cli');
const haveData = existsSync(path.join(DATA, 'mt_bench_human_judgments/human.csv'));

function cli(...args: string[]): string {
  return execFileSync(CLI, ['--db', process.env.CONCORD_E2E_DB!, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
}

test.describe.configure({ mode: 'serial' });
test.skip(!haveData, `shared MT-Bench data not found at ${DATA}`);

test.beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing; build it with: go build -o build/bin/concord-cli .`);
  cli('import', path.join(DATA, 'mt_bench'), path.join(DATA, 'mt_bench_human_judgments'));
});

async function openReport(page: import('@playwright/test').Page): Promise<number> {
  await page.goto('/#/home');
  await expect(page.getByTestId('nav-report')).toBeVisible();
  const t0 = await page.evaluate(() => performance.now());
  await page.getByTestId('nav-report').click();
  await expect(page.getByTestId('agreement-row').first()).toBeVisible();
  await expect(page.getByTestId('chart-agreement')).toBeVisible();
  const t1 = await page.evaluate(() => performance.now());
  return t1 - t0;
}

async function chooseTurn1Experts(page: import('@playwright/test').Page): Promise<number> {
  await expect(page.getByTestId('report-judge')).toHaveValue('gpt-4');
  const t0 = await page.evaluate(() => performance.now());
  await page.getByTestId('report-humans').selectOption('expert');
  await page.getByTestId('report-turn').selectOption('1');
  await expect(page.getByTestId('agreement-row')).toHaveCount(2);
  await expect(page.getByTestId('report-totals')).toContainText('1,343 human votes');
  return (await page.evaluate(() => performance.now())) - t0;
}

test('the agreement table shows the MT-Bench paper figures for turn 1 experts', async ({ page }, info) => {
  const openMs = await openReport(page);
  const filterMs = await chooseTurn1Experts(page);
  const cell = (id: string) => page.getByTestId(id).locator('.pct');
  await expect(cell('agree-judge-1-with')).toHaveText('66%');
  await expect(cell('agree-judge-1-without')).toHaveText('85%');
  await expect(cell('agree-human-1-with')).toHaveText('63%');
  await expect(cell('agree-human-1-without')).toHaveText('81%');
  await expect(page.getByTestId('agree-judge-1-with')).toContainText('of 1,343');
  await expect(page.getByTestId('agree-judge-1-without')).toContainText('of 859');
  await expect(page.getByTestId('agree-human-1-with')).toContainText('of 721');
  await expect(page.getByTestId('agree-human-1-without')).toContainText('of 479');
  // Engine warnings sit beside the panels they qualify.
  await expect(page.getByTestId('warn-position')).toContainText('both orders');
  await expect(page.getByTestId('warn-length')).toContainText('answer lengths');
  // Every chart is drawn.
  for (const id of ['chart-agreement', 'chart-position-category', 'chart-position-pair', 'chart-length', 'chart-board-human', 'chart-board-judge']) {
    await expect(page.getByTestId(id).locator('canvas')).toHaveAttribute('data-drawn', 'true');
  }
  const msg = `report screen on MT-Bench: opened in ${openMs.toFixed(0)} ms (click to table and chart), turn-1 expert filter applied in ${filterMs.toFixed(0)} ms`;
  console.log(msg);
  info.annotations.push({ type: 'timing', description: msg });
  expect(openMs).toBeGreaterThan(0);
});

test('a click on a disagreement opens its answers and votes', async ({ page }) => {
  await openReport(page);
  await chooseTurn1Experts(page);
  const items = page.getByTestId('dis-item');
  await expect(items.first()).toBeVisible();
  const text = (await items.first().textContent()) ?? '';
  const m = /(\d+) of (\d+) disagree/.exec(text);
  expect(m, text).not.toBeNull();
  await items.first().click();
  const detail = page.getByTestId('dis-detail');
  await expect(detail.getByTestId('dis-answer-a').locator('.md')).not.toBeEmpty();
  await expect(detail.getByTestId('dis-answer-b').locator('.md')).not.toBeEmpty();
  // The votes table lists every human vote on the unit (any group), so at least the listed ones.
  const rows = detail.getByTestId('dis-votes').locator('tbody tr');
  expect(await rows.count()).toBeGreaterThanOrEqual(Number(m![2]));
  await expect(detail.getByTestId('dis-g1')).toBeVisible();
  await expect(detail.getByTestId('dis-g2')).toBeVisible();

  // The inconsistent-judge filter keeps only inconsistent verdicts.
  await page.getByTestId('dis-inconsistent').check();
  await expect(items.first()).toContainText('judge: inconsistent');
});

/** exportHTML writes `concord report --format html ARGS` to a temporary file and returns its file URL. */
function exportHTML(db: string, ...args: string[]): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'concord-report-')), 'report.html');
  writeFileSync(file, execFileSync(CLI, ['--db', db, 'report', '--format', 'html', ...args], { maxBuffer: 64 << 20 }));
  return pathToFileURL(file).href;
}

/** nonFileRequests records every request the page makes other than for file: URLs. */
function nonFileRequests(page: import('@playwright/test').Page): string[] {
  const out: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith('file:')) out.push(r.url());
  });
  return out;
}

test('the HTML export opens from a file URL with every section, its charts and no network request', async ({ page }) => {
  const url = exportHTML(process.env.CONCORD_E2E_DB!, '--judge', 'gpt-4', '--humans', 'expert', '--turn', '1', '--bootstrap', '200');
  const requests = nonFileRequests(page);
  await page.goto(url);
  await expect(page.locator('h1')).toContainText('gpt-4 vs expert humans');
  await expect(page.getByTestId('report-totals')).toContainText('1,343 human votes');
  const cell = (id: string) => page.getByTestId(id).locator('.pct');
  await expect(cell('agree-judge-1-with')).toHaveText('66%');
  await expect(cell('agree-judge-1-without')).toHaveText('85%');
  await expect(cell('agree-human-1-with')).toHaveText('63%');
  await expect(cell('agree-human-1-without')).toHaveText('81%');
  for (const panel of ['agreement', 'position', 'length', 'models', 'close', 'disagreements', 'annotators']) {
    await expect(page.getByTestId(`panel-${panel}`)).toBeVisible();
  }
  await expect(page.getByTestId('kendall')).toContainText('0.867');
  await expect(page.getByTestId('panel-annotators').locator('tbody tr').first()).toBeVisible();
  await expect(page.getByTestId('warn-position')).toContainText('both orders');
  for (const id of ['chart-agreement', 'chart-position-category', 'chart-position-pair', 'chart-length', 'chart-board-human', 'chart-board-judge']) {
    await expect(page.getByTestId(id).locator('canvas')).toHaveAttribute('data-drawn', 'true');
  }
  // Read-only: nothing that needs the database.
  await expect(page.getByTestId('close-more')).toHaveCount(0);
  await expect(page.getByTestId('dis-more')).toHaveCount(0);
  await expect(page.getByTestId('export-html')).toHaveCount(0);
  // The disagreement browser works from the embedded data, filters included.
  const items = page.getByTestId('dis-item');
  const all = Number(((await page.getByTestId('dis-count').textContent()) ?? '').replace(/[^0-9]/g, ''));
  expect(all).toBeGreaterThan(0);
  await expect(items.first()).toBeVisible();
  const m = /(\d+) of (\d+) disagree/.exec((await items.first().textContent()) ?? '');
  await items.first().click();
  const detail = page.getByTestId('dis-detail');
  await expect(detail.getByTestId('dis-answer-a').locator('.md')).not.toBeEmpty();
  await expect(detail.getByTestId('dis-answer-b').locator('.md')).not.toBeEmpty();
  expect(await detail.getByTestId('dis-votes').locator('tbody tr').count()).toBeGreaterThanOrEqual(Number(m![2]));
  await expect(detail.getByTestId('dis-g1')).toBeVisible();
  await page.getByTestId('dis-inconsistent').check();
  await expect(items.first()).toContainText('judge: inconsistent');
  const some = Number(((await page.getByTestId('dis-count').textContent()) ?? '').replace(/[^0-9]/g, ''));
  expect(some).toBeGreaterThan(0);
  expect(some).toBeLessThan(all);
  expect(requests).toEqual([]);
});

test('a hostile answer in the HTML export stays inert', async ({ page }) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'concord-hostile-'));
  const votes = path.join(dir, 'votes');
  mkdirSync(votes);
  const head = 'question_id,model_a,model_b,winner,judge,turn\n';
  writeFileSync(path.join(votes, 'human.csv'), head + '66601,evil-a,evil-b,model_a,expert_1,1\n66601,evil-a,evil-b,model_a,expert_2,1\n');
  writeFileSync(path.join(votes, 'gpt4_pair.csv'), head + '66601,evil-a,evil-b,model_b,gpt4_pair,1\n');
  const db = path.join(dir, 'hostile.db');
  execFileSync(CLI, ['--db', db, 'import', path.join(here, 'fixtures/hostile'), votes]);
  const url = exportHTML(db, '--bootstrap', '0');
  const requests = nonFileRequests(page);
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(url);
  await page.getByTestId('dis-item').first().click();
  const detail = page.getByTestId('dis-detail');
  await expect(detail.getByTestId('dis-answer-a')).toContainText('Answer A');
  for (const e of await detail.locator('a, div, img').all()) await e.hover({ force: true, timeout: 1000 }).catch(() => {});
  for (const a of await detail.locator('a').all()) await a.click({ force: true, timeout: 1000 }).catch(() => {});
  await page.waitForTimeout(300);
  const state = await page.evaluate(() => {
    const all = [...document.querySelectorAll('[data-testid="dis-detail"] *')];
    return {
      pwned: (window as unknown as { __pwned?: string }).__pwned ?? null,
      dangerous: all.filter((e) => /^(script|iframe|object|embed|form|input|style|meta|base|svg)$/i.test(e.tagName)).map((e) => e.tagName),
      handlers: all.flatMap((e) => [...e.attributes].filter((a) => /^on/i.test(a.name)).map((a) => `${e.tagName}@${a.name}`)),
      jsLinks: all.filter((e) => /^\s*javascript:/i.test(e.getAttribute('href') ?? '')).length,
    };
  });
  expect(state).toEqual({ pwned: null, dangerous: [], handlers: [], jsLinks: 0 });
  expect(dialogs).toEqual([]);
  expect(page.url()).toBe(url);
  expect(requests).toEqual([]);
});

/** openStudyOnAnnotate follows an "Open in Annotate" link and checks the study opens (identifying first if needed). */
async function openStudyOnAnnotate(page: import('@playwright/test').Page, created: import('@playwright/test').Locator, testid: string): Promise<void> {
  const name = (await created.locator('.name').getAttribute('title'))!;
  expect(name).toMatch(/^More votes: /);
  await created.getByTestId(`${testid}-open`).click();
  await expect(page).toHaveURL(/#\/annotate\/\d+$/);
  const identify = page.getByTestId('identify');
  const opened = page.locator('.study-name');
  await expect(identify.or(opened)).toBeVisible();
  if (await identify.isVisible()) {
    await page.getByTestId('annotator-name').fill('report-e2e');
    await page.getByTestId('annotator-save').click();
  }
  await expect(opened).toHaveText(name);
}

test('annotate more from a close call creates a study of its units and opens it', async ({ page }) => {
  await openReport(page);
  await chooseTurn1Experts(page);
  const rows = page.getByTestId('panel-close').locator('tbody tr');
  await expect(rows.first()).toBeVisible();
  const pair = ((await rows.first().locator('td').first().textContent()) ?? '').trim();
  await rows.first().getByTestId('close-more').click();
  const created = rows.first().getByTestId('close-more-created');
  // The pair over every MT-Bench question, turn 1 only: 80 units.
  await expect(created).toContainText(`More votes: ${pair}, turn 1`);
  await expect(created).toContainText('80 turns to vote');
  await openStudyOnAnnotate(page, created, 'close-more');
});

test('annotate more from a filtered disagreement list creates a study of exactly the listed units', async ({ page }) => {
  await openReport(page);
  await chooseTurn1Experts(page);
  await page.getByTestId('dis-inconsistent').check();
  await expect(page.getByTestId('dis-item').first()).toContainText('judge: inconsistent');
  const count = Number(((await page.getByTestId('dis-count').textContent()) ?? '').replace(/[^0-9]/g, ''));
  expect(count).toBeGreaterThan(0);
  await expect(page.getByTestId('dis-more')).toContainText(`Annotate these ${count.toLocaleString('en')}`);
  await page.getByTestId('dis-more').click();
  const created = page.getByTestId('dis-more-created');
  await expect(created).toContainText('gpt-4 disagreements, expert, turn 1, judge inconsistent');
  await expect(created).toContainText(`${count} turns to vote`);
  await openStudyOnAnnotate(page, created, 'dis-more');
});

// REPORT_SHOTS=dir saves every panel of the screen, and each section of the
// standalone HTML report, in light and dark at 1280x800 and 1920x1080.
test('screenshots in light and dark', async ({ page }) => {
  test.setTimeout(240_000);
  const out = process.env.REPORT_SHOTS;
  test.skip(!out, 'set REPORT_SHOTS=dir to save screenshots of the report screen');
  mkdirSync(out!, { recursive: true });
  const dir = mkdtempSync(path.join(tmpdir(), 'concord-report-'));
  const file = path.join(dir, 'report.html');
  writeFileSync(file, cli('report', '--format', 'html', '--judge', 'gpt-4', '--humans', 'expert', '--turn', '1'));
  for (const [w, h] of [
    [1280, 800],
    [1920, 1080],
  ]) {
    await page.setViewportSize({ width: w, height: h });
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await openReport(page);
      await chooseTurn1Experts(page);
      await page.getByTestId('dis-item').first().click();
      await expect(page.getByTestId('dis-votes')).toBeVisible();
      for (const panel of ['agreement', 'position', 'length', 'models', 'close', 'disagreements', 'annotators']) {
        await page.getByTestId(`panel-${panel}`).screenshot({ path: path.join(out!, `report-${panel}-${scheme}-${w}.png`) });
      }
      await page.goto(pathToFileURL(file).href);
      await page.screenshot({ path: path.join(out!, `html-${scheme}-${w}.png`), fullPage: true });
    }
  }
});
