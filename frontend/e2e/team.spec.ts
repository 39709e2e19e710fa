// Issue 11: a study travels to three annotators as blind packages and their
// votes come back. The lead packs three packages from the Annotate screen;
// each package is opened by an app instance of its own (the dev binary with
// --db PACKAGE), which shows that study only as its annotator, and a few
// items are voted by keyboard; the lead imports the packages back on Home
// and the lead's export then holds exactly those votes, with the real
// models, the annotators and the left placements; the progress view shows
// them; a tampered package is refused with its message on screen.
import { expect, test, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { APP_PORT, cli, type ExportedVote } from './helpers';

const frontend = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DEV = path.resolve(frontend, process.env.CONCORD_DEV_BIN ?? '../build/bin/concord-dev');
const DIST = path.resolve(frontend, process.env.CONCORD_E2E_DIST ?? 'dist');
const MT_BENCH = path.resolve(frontend, '../../shared/data/mt_bench');
const LEAD = 'team-lead';
const ANNOTATORS = ['alice', 'bob', 'carol'];
// The package windows listen here (the app is on APP_PORT, the fake OpenAI server on +2).
const PACKAGE_PORT = APP_PORT + 3;

interface Cast {
  who: string;
  key: string;
  verdict: 'A' | 'B' | 'tie';
  turn: number;
  left: string;
  right: string;
}

// The dev server now and then answers a navigation with an empty response; retry.
async function goto(page: Page, url: string) {
  for (let i = 0; ; i++) {
    try {
      await page.goto(url);
      return;
    } catch (e) {
      if (i >= 5 || !/ERR_EMPTY_RESPONSE|ERR_CONNECTION_REFUSED/.test(String(e))) throw e;
      await page.waitForTimeout(300);
    }
  }
}

/** startPackageWindow runs the dev binary on a package, serving it at PACKAGE_PORT. */
async function startPackageWindow(pkg: string): Promise<ChildProcess> {
  const child = spawn(
    'xvfb-run',
    ['-a', '-s', '-screen 0 1280x1024x24', DEV, '--db', pkg, '-assetdir', DIST, '-devserver', `127.0.0.1:${PACKAGE_PORT}`],
    { detached: true, stdio: 'ignore', env: { ...process.env, XDG_CONFIG_HOME: process.env.CONCORD_E2E_CONFIG } },
  );
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const r = await fetch(`http://127.0.0.1:${PACKAGE_PORT}/`);
      if (r.ok) return child;
    } catch {
      // not up yet
    }
    if (child.exitCode !== null) throw new Error(`the package window on ${pkg} exited with ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error(`the package window on ${pkg} did not come up on port ${PACKAGE_PORT}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** stopPackageWindow ends the process group it started and waits for it. */
async function stopPackageWindow(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise((r) => child.once('exit', r));
  process.kill(-child.pid, 'SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
}

async function identifyLead(page: Page) {
  await goto(page, '/#/annotate');
  const form = page.getByTestId('identify');
  await expect(form.or(page.getByTestId('new-study'))).toBeVisible();
  if (!(await form.isVisible()) && (await page.getByTestId('annotator').textContent()) !== LEAD) {
    await page.getByTestId('switch-annotator').click();
  }
  if (await form.isVisible()) {
    await page.getByTestId('annotator-name').fill(LEAD);
    await page.getByTestId('annotator-save').click();
  }
  await expect(page.getByTestId('annotator')).toHaveText(LEAD);
}

async function importOnHome(page: Page, file: string) {
  await goto(page, '/#/home');
  const input = page.getByTestId('import-path');
  await expect(input).toBeEnabled();
  await input.fill(file);
  await page.getByTestId('import-submit').click();
  await expect(page.getByTestId('import-result').or(page.getByTestId('import-error'))).toBeVisible();
}

test('pack three packages, vote in each, import them back, refuse a tampered one', async ({ page, browser }) => {
  test.skip(!existsSync(path.join(MT_BENCH, 'question.jsonl')), `MT-Bench data not found at ${MT_BENCH} (see ../shared/data/README.md)`);
  test.setTimeout(240_000);
  cli('import', MT_BENCH);
  const models = readdirSync(path.join(MT_BENCH, 'model_answer'))
    .map((f) => f.replace(/\.jsonl$/, ''))
    .sort()
    .slice(0, 3);
  const study = `team ${Date.now()}`;
  cli('study', 'create', '--name', study, '--models', models.join(','), '--sample', '12', '--seed', '3');
  const out = mkdtempSync(path.join(tmpdir(), 'concord-team-'));

  // The lead packs from the Annotate screen.
  await identifyLead(page);
  await page.locator(`li[data-study="${study}"]`).getByTestId('study-team-open').click();
  await page.getByTestId('pack-annotators').fill(ANNOTATORS.join(', '));
  await page.getByTestId('pack-overlap').fill('2');
  await page.getByTestId('pack-gold').fill('0');
  await page.getByTestId('pack-out').fill(out);
  await page.getByTestId('pack-submit').click();
  await expect(page.getByTestId('pack-result').locator('li')).toHaveCount(3);
  const files = readdirSync(out).filter((f) => f.endsWith('.concord'));
  expect(files).toHaveLength(3);
  const packages: Record<string, string> = {};
  for (const a of ANNOTATORS) {
    const f = files.find((x) => x.endsWith(`-${a}.concord`));
    expect(f, `${a}'s package among ${files.join(', ')}`).toBeTruthy();
    packages[a] = path.join(out, f!);
  }
  const team = page.getByTestId('team-progress');
  for (const a of ANNOTATORS) await expect(team.locator(`tr[data-annotator="${a}"] td`).nth(2)).toHaveText('not yet');
  await page.screenshot({ path: path.join(out, 'team-pack.png'), fullPage: true });

  // Each annotator votes three items in a window of their own, on their package.
  const cast: Cast[] = [];
  const steps: { key: string; verdict: Cast['verdict'] }[] = [
    { key: '1', verdict: 'A' },
    { key: '2', verdict: 'B' },
    { key: '3', verdict: 'tie' },
  ];
  for (const who of ANNOTATORS) {
    const child = await startPackageWindow(packages[who]);
    const ctx = await browser.newContext({ baseURL: `http://127.0.0.1:${PACKAGE_PORT}`, viewport: { width: 1280, height: 800 } });
    try {
      const p = await ctx.newPage();
      await goto(p, '/');
      await expect(p.getByTestId('package-view')).toBeVisible();
      await expect(p.getByTestId('package-annotator')).toHaveText(who);
      await expect(p.getByTestId('package-study')).toHaveText(study);
      await expect(p.getByTestId('identify')).toHaveCount(0); // the identity comes from the package
      await expect(p.getByTestId('leave-study')).toHaveCount(0); // that study only
      expect(await p.title()).toBe(`${study} · ${who} — Concord`);
      await expect(p.getByTestId('item')).toBeVisible();
      await p.getByTestId('raw-toggle').check();
      await p.locator('body').click({ position: { x: 600, y: 5 } });
      for (const s of steps) {
        const key = (await p.getByTestId('item').getAttribute('data-item')) ?? '';
        const turn = Number(await p.getByTestId('item').getAttribute('data-turn'));
        const left = (await p.getByTestId('answer-a').locator('[data-current] pre.raw').textContent()) ?? '';
        const right = (await p.getByTestId('answer-b').locator('[data-current] pre.raw').textContent()) ?? '';
        // Blind: the package shows no model name.
        for (const m of models) await expect(p.getByTestId('item')).not.toContainText(m);
        await p.keyboard.press(s.key);
        await expect.poll(() => p.getByTestId('item').getAttribute('data-item')).not.toBe(key);
        cast.push({ who, key, verdict: s.verdict, turn, left, right });
      }
      await expect(p.getByTestId('progress')).toHaveAttribute('data-done', '3');
      if (who === 'alice') await p.screenshot({ path: path.join(out, 'team-package.png') });
    } finally {
      await ctx.close();
      await stopPackageWindow(child);
    }
  }

  // The lead imports the returned packages on Home, one by one; a second import adds nothing.
  for (const who of ANNOTATORS) {
    await importOnHome(page, packages[who]);
    await expect(page.getByTestId('import-added')).toHaveText('3');
  }
  await importOnHome(page, packages.alice);
  await expect(page.getByTestId('import-added')).toHaveText('0');

  // The export holds exactly those votes, with real models, annotators and left placements.
  const rows = cli('export', 'votes')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as ExportedVote)
    .filter((r) => ANNOTATORS.includes(r.judge));
  expect(rows).toHaveLength(cast.length);
  const answerOf = (r: ExportedVote, m: string) => {
    const conv = m === r.model_a ? r.conversation_a : r.conversation_b;
    return conv.filter((x) => x.role === 'assistant').at(-1)?.content ?? '';
  };
  const both = (r: ExportedVote) => [answerOf(r, r.model_a), answerOf(r, r.model_b)].sort().join('\u0000');
  for (const [i, c] of cast.entries()) {
    const matches = rows.filter((r) => r.judge === c.who && r.turn === c.turn && both(r) === [c.left, c.right].sort().join('\u0000'));
    expect(matches, `vote ${i} by ${c.who}: rows with the answers shown (turn ${c.turn})`).toHaveLength(1);
    const r = matches[0];
    expect(models).toContain(r.model_a);
    expect(models).toContain(r.model_b);
    expect(models).toContain(r.left_model);
    const right = r.left_model === r.model_a ? r.model_b : r.model_a;
    expect(answerOf(r, r.left_model), `vote ${i}: the left model's answer was shown on the left`).toBe(c.left);
    expect(answerOf(r, right), `vote ${i}: the other answer was shown on the right`).toBe(c.right);
    const side = (m: string) => (m === r.model_a ? 'model_a' : 'model_b');
    expect(r.winner, `vote ${i} (${c.verdict}, left ${r.left_model})`).toBe({ A: side(r.left_model), B: side(right), tie: 'tie' }[c.verdict]);
  }

  // The lead's progress view: returned, three votes each; exclusion toggles and is remembered.
  await identifyLead(page);
  await page.locator(`li[data-study="${study}"]`).getByTestId('study-team-open').click();
  for (const a of ANNOTATORS) {
    const row = team.locator(`tr[data-annotator="${a}"]`);
    await expect(row.locator('td').nth(2)).toHaveText('yes');
    await expect(row.getByTestId('team-votes')).toHaveText('3');
  }
  const carol = team.locator('tr[data-annotator="carol"]');
  await carol.getByTestId('team-include').uncheck();
  await expect(carol).toHaveClass(/excluded/);
  await page.screenshot({ path: path.join(out, 'team-progress.png'), fullPage: true });
  const progress = JSON.parse(cli('study', 'progress', study, '--json')) as { annotators: { annotator: string; excluded: boolean }[] };
  expect(progress.annotators.find((a) => a.annotator === 'carol')?.excluded).toBe(true);
  // The report's annotator audit leaves carol out and says so.
  await goto(page, '/#/report');
  const audit = page.getByTestId('panel-annotator-audit');
  await expect(audit).toContainText('alice');
  await expect(audit.getByTestId('annotators-excluded')).toContainText('carol');
  await expect(audit.locator('tbody tr', { hasText: 'carol' })).toHaveCount(0);
  await audit.scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(out, 'team-report.png') });
  await identifyLead(page);
  await page.locator(`li[data-study="${study}"]`).getByTestId('study-team-open').click();
  await carol.getByTestId('team-include').check();
  await expect(carol).not.toHaveClass(/excluded/);

  // A package whose answers were edited is refused, with its message on screen, and writes nothing.
  const bytes = readFileSync(packages.alice);
  // The longest word of the answers alice saw, changed by one letter.
  const words = cast.filter((c) => c.who === 'alice').flatMap((c) => [...`${c.left} ${c.right}`.matchAll(/[A-Za-z]{6,}/g)].map((m) => m[0]));
  const snippet = words.sort((a, b) => b.length - a.length)[0];
  expect(snippet, 'a word of six letters or more in an answer alice saw').toBeTruthy();
  const at = bytes.indexOf(Buffer.from(snippet!, 'utf8'));
  expect(at, `"${snippet}" in alice's package`).toBeGreaterThanOrEqual(0);
  bytes[at] = bytes[at] === 0x58 ? 0x59 : 0x58; // one letter changed: X or Y
  const tampered = path.join(out, `${study}-alice-edited.concord`);
  writeFileSync(tampered, bytes);
  await importOnHome(page, tampered);
  await expect(page.getByTestId('import-error')).toContainText('the package was edited');
  expect(cli('export', 'votes').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as ExportedVote).filter((r) => ANNOTATORS.includes(r.judge))).toHaveLength(
    cast.length,
  );
});
