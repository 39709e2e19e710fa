// Issue 2: the home screen shows what is in a fresh database (the demo
// study), imports a folder through the UI, and shows the counts change.
import { expect, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BASE_URL, backendInfo, openHome, recordEvents, statValue, watchCSP, watchRequests } from './helpers';
import type { ImportProgress } from '../src/lib/types';

const here = path.dirname(fileURLToPath(import.meta.url));
const MT_BENCH = path.resolve(here, '../../../shared/data/mt_bench');

test.describe.configure({ mode: 'serial' });

test('a fresh database shows the demo study', async ({ page }) => {
  const foreign = watchRequests(page, BASE_URL);
  const csp = watchCSP(page);
  await openHome(page);
  const info = await backendInfo(page);

  expect(info.demo).toBe(true);
  await expect(page.getByTestId('demo-badge')).toBeVisible();
  expect(info.questions).toBeGreaterThan(0);
  expect(info.models).toBeGreaterThan(0);
  expect(info.answers).toBeGreaterThan(0);
  expect(info.human_votes).toBeGreaterThan(0);
  expect(Object.keys(info.judge_verdicts).length).toBeGreaterThan(0);

  expect(await statValue(page, 'questions')).toBe(info.questions);
  expect(await statValue(page, 'models')).toBe(info.models);
  expect(await statValue(page, 'answers')).toBe(info.answers);
  expect(await statValue(page, 'votes')).toBe(info.human_votes);
  expect(await statValue(page, 'annotators')).toBe(info.annotators);
  const verdicts = Object.values(info.judge_verdicts).reduce((a, b) => a + b, 0);
  expect(await statValue(page, 'verdicts')).toBe(verdicts);

  // Every category, model, group and judge is listed with its count.
  const categories = page.getByTestId('categories').locator('li');
  await expect(categories).toHaveCount(info.categories.length);
  for (const c of info.categories) {
    await expect(page.getByTestId('categories').locator(`li[data-label="${c.name}"]`)).toHaveAttribute('data-value', String(c.count));
  }
  for (const m of info.model_list) {
    await expect(page.getByTestId('models').locator(`li[data-label="${m.name}"]`)).toHaveAttribute('data-value', String(m.count));
  }
  expect(info.model_list.map((m) => m.name)).toEqual(expect.arrayContaining(['demo-aurora', 'demo-basalt', 'demo-cirrus']));
  for (const g of info.groups) {
    await expect(page.getByTestId('groups').locator(`tr[data-group="${g.group}"]`)).toContainText(String(g.votes));
  }
  for (const j of info.judges) {
    await expect(page.getByTestId('judges').locator(`tr[data-judge="${j.name}"]`)).toContainText(String(j.verdicts));
  }
  await expect(page.getByTestId('db-path')).toHaveText(info.db_path);
  expect(foreign).toEqual([]);
  expect(csp).toEqual([]);
});

/** Writes a small FastChat-layout folder of our own, new to any database:
 * 3 questions with fresh ids and 2 models with fresh names. */
function writeFixtureFolder(): { dir: string; models: string[]; questions: number } {
  const tag = `${Date.now() % 1e6}${Math.floor(Math.random() * 100)}`;
  const dir = mkdtempSync(path.join(tmpdir(), 'concord-e2e-import-'));
  const models = [`e2e-alpha-${tag}`, `e2e-beta-${tag}`];
  const ids = [1, 2, 3].map((i) => 800_000_000 + Number(tag) * 10 + i);
  mkdirSync(path.join(dir, 'model_answer'));
  writeFileSync(
    path.join(dir, 'question.jsonl'),
    ids.map((id) => JSON.stringify({ question_id: id, category: 'writing', turns: [`Question ${id}, turn one?`, 'And turn two?'] })).join('\n') + '\n',
  );
  for (const m of models) {
    writeFileSync(
      path.join(dir, 'model_answer', `${m}.jsonl`),
      ids.map((id) => JSON.stringify({ question_id: id, model_id: 'ignored', choices: [{ index: 0, turns: [`${m} answers ${id}`, 'Second answer.'] }] })).join('\n') + '\n',
    );
  }
  return { dir, models, questions: ids.length };
}

test('importing a folder through the UI changes the counts', async ({ page }) => {
  const fixture = writeFixtureFolder();
  const foreign = watchRequests(page, BASE_URL);
  await openHome(page);
  const before = await backendInfo(page);
  const progress = await recordEvents(page, 'import:progress');

  await page.getByTestId('import-path').fill(fixture.dir);
  await page.getByTestId('import-submit').click();
  // The preview (a dry run) comes first and writes nothing.
  await expect(page.getByTestId('preview-added')).toHaveText(String(fixture.questions * (1 + fixture.models.length)));
  expect((await backendInfo(page)).questions).toBe(before.questions);
  await page.getByTestId('import-confirm').click();
  await expect(page.getByTestId('import-result')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('import-error')).toHaveCount(0);

  // Progress events reached the window, ending with every file done.
  // (The dev build may deliver events out of order, so look at the furthest.)
  const events = (await progress()) as ImportProgress[];
  expect(events.length).toBeGreaterThan(0);
  expect(Math.max(...events.map((e) => e.done_files))).toBe(3);
  expect(events.every((e) => e.total_files === 3)).toBe(true);

  // Exactly what the folder holds was added, and the screen shows it.
  const after = await backendInfo(page);
  expect(after.questions).toBe(before.questions + fixture.questions);
  expect(after.models).toBe(before.models + fixture.models.length);
  expect(after.answers).toBe(before.answers + fixture.questions * fixture.models.length);
  await expect(page.getByTestId('stat-questions').locator('.value')).toHaveAttribute('data-value', String(after.questions));
  await expect(page.getByTestId('stat-models').locator('.value')).toHaveAttribute('data-value', String(after.models));
  await expect(page.getByTestId('stat-answers').locator('.value')).toHaveAttribute('data-value', String(after.answers));
  for (const m of fixture.models) {
    await expect(page.getByTestId('models').locator(`li[data-label="${m}"]`)).toHaveAttribute('data-value', String(fixture.questions));
  }

  // The result lists each file with its kind and counts; the sum matches.
  await expect(page.getByTestId('import-row')).toHaveCount(3); // question.jsonl and two model answer files
  await expect(page.getByTestId('import-added')).toHaveText(String(fixture.questions * (1 + fixture.models.length)));

  // Importing the same folder again adds nothing.
  await page.getByTestId('import-path').fill(fixture.dir);
  await page.getByTestId('import-submit').click();
  await expect(page.getByTestId('preview-added')).toHaveText('0');
  await page.getByTestId('import-confirm').click();
  await expect(page.getByTestId('import-added')).toHaveText('0');
  const again = await backendInfo(page);
  expect([again.questions, again.models, again.answers]).toEqual([after.questions, after.models, after.answers]);
  expect(foreign).toEqual([]);
});

test('importing the shared MT-Bench folder through the UI shows its seven models', async ({ page }) => {
  test.skip(!existsSync(MT_BENCH), `shared MT-Bench data not found at ${MT_BENCH}`);
  await openHome(page);
  await page.getByTestId('import-path').fill(MT_BENCH);
  await page.getByTestId('import-submit').click();
  await page.getByTestId('import-confirm').click({ timeout: 30_000 });
  await expect(page.getByTestId('import-result')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('import-error')).toHaveCount(0);
  for (const m of ['gpt-4', 'claude-v1', 'vicuna-13b-v1.3']) {
    await expect(page.getByTestId('models').locator(`li[data-label="${m}"]`)).toHaveAttribute('data-value', '80');
  }
});

test('the studies card lists every study with its votes and opens one at its route in Annotate', async ({ page }) => {
  const CLI = path.resolve(here, process.env.CONCORD_CLI_BIN ?? '../../build/bin/concord-cli');
  test.skip(!existsSync(CLI), `${CLI} is missing (go build -o build/bin/concord-cli .)`);
  const name = `home card ${Date.now()}`;
  execFileSync(CLI, ['--db', process.env.CONCORD_E2E_DB!, 'study', 'create', '--name', name, '--models', 'demo-aurora,demo-basalt', '--turns', '1']);
  await openHome(page);
  type Summary = { id: number; name: string; activity?: { votes: number } };
  const all = await page.evaluate(async () => (window as unknown as { go: { app: { App: { Studies(): Promise<Summary[]> } } } }).go.app.App.Studies());
  const rows = page.getByTestId('studies').locator('li');
  await expect(rows).toHaveCount(all.length);
  for (const st of all) {
    await expect(rows.filter({ has: page.locator(`button:text-is("${st.name}")`) }).getByTestId('study-votes')).toHaveText(String(st.activity?.votes ?? 0));
  }
  await page.getByTestId('studies').getByRole('button', { name }).click();
  const id = all.find((s) => s.name === name)?.id;
  expect(id).toBeGreaterThan(0);
  await expect(page).toHaveURL(new RegExp(`#/annotate/${id}$`));
  // Voting in it, or asked who votes first; the route, not storage, carries the study.
  await expect(page.getByTestId('item').or(page.getByTestId('identify'))).toBeVisible();
  expect(await page.evaluate(() => localStorage.getItem('concord.annotate.study'))).toBeNull();
});

test('a failed import shows the error verbatim and writes nothing', async ({ page }) => {
  await openHome(page);
  const before = await backendInfo(page);
  const missing = path.join(path.dirname(MT_BENCH), 'no-such-folder-for-concord-e2e');
  await page.getByTestId('import-path').fill(missing);
  await page.getByTestId('import-submit').click();
  const panel = page.getByTestId('import-error');
  await expect(panel).toBeVisible();
  const message = await page.getByTestId('import-error-message').textContent();
  expect(message).toContain('no-such-folder-for-concord-e2e');
  const after = await backendInfo(page);
  expect(after.questions).toBe(before.questions);
});

test('the About panel shows the version and which Concord created the database', async ({ page }) => {
  await openHome(page);
  await page.getByTestId('about-open').click();
  const panel = page.getByTestId('about-panel');
  await expect(panel).toBeVisible();
  await expect(panel.getByTestId('about-version')).toHaveText('dev');
  await expect(panel.getByTestId('about-created-by')).toHaveText('dev');
  await panel.getByTestId('about-close').click();
  await expect(panel).toBeHidden();
});
