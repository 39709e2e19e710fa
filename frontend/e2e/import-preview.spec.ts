// Issue 12: the Import screen previews a file before writing: its detected
// kind, the column mapping (one select per role over the file's own
// columns), its first rows as stored and the counts; a changed mapping is
// previewed again, and Import writes exactly what the preview showed.
import { expect, test } from '@playwright/test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { backendInfo, openHome, statValue } from './helpers';

/** A pairs-with-texts file of our own: 3 prompts, two fresh models, a winner per row and a rater column. */
function writePairs(): { file: string; models: string[]; raters: string[]; rows: number } {
  const tag = `${Date.now() % 1e6}${Math.floor(Math.random() * 100)}`;
  const dir = mkdtempSync(path.join(tmpdir(), 'concord-e2e-pairs-'));
  const models = [`e2e-left-${tag}`, `e2e-right-${tag}`];
  const raters = [`ann-${tag}`, `bob-${tag}`];
  const rows = [
    { prompt: `Write a haiku about tide pools (${tag}).`, winner: 'model_a', rater: raters[0] },
    { prompt: `Explain a hash map to a child (${tag}).`, winner: 'model_b', rater: raters[1] },
    { prompt: `Name three uses of vinegar (${tag}).`, winner: 'tie', rater: raters[0] },
  ].map((r, i) => ({
    prompt: r.prompt,
    response_a: `Left answer ${i}: ${'a fairly long sentence of text. '.repeat(6)}`,
    response_b: `Right answer ${i}: ${'another sentence of a different length. '.repeat(4)}`,
    model_a: models[0],
    model_b: models[1],
    winner: r.winner,
    rater: r.rater,
  }));
  const file = path.join(dir, `prefs-${tag}.jsonl`);
  writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return { file, models, raters, rows: rows.length };
}

test('a pairs file is previewed, its mapping changed, and imported as previewed', async ({ page }, testInfo) => {
  const pairs = writePairs();
  await openHome(page);
  const before = await backendInfo(page);

  await page.getByTestId('import-path').fill(pairs.file);
  await page.getByTestId('import-submit').click();
  const preview = page.getByTestId('import-preview');
  await expect(preview).toBeVisible();
  await expect(page.getByTestId('preview-kind')).toHaveText('Pairs');
  await expect(page.getByTestId('preview-records')).toHaveText(String(pairs.rows));
  await expect(page.getByTestId('preview-row')).toHaveCount(pairs.rows);
  await expect(page.getByTestId('preview-row').first()).toContainText(pairs.models[0]);
  await expect(page.getByTestId('preview-row').first()).toContainText('tide pools');
  // Each role's select lists the file's own columns.
  const annotator = page.getByTestId('map-annotator');
  await expect(annotator.locator('option')).toHaveText(['—', 'model_a', 'model_b', 'prompt', 'rater', 'response_a', 'response_b', 'winner']);
  // Without the mapping the labels are one unnamed annotator's, not the raters'.
  await expect(preview).not.toContainText(pairs.raters[0]);
  expect(await backendInfo(page)).toEqual(before); // the preview wrote nothing

  await annotator.selectOption('rater');
  await expect(page.getByTestId('preview-row').nth(0)).toContainText(`${pairs.raters[0]}: a`);
  await expect(page.getByTestId('preview-row').nth(1)).toContainText(`${pairs.raters[1]}: b`);
  await expect(page.getByTestId('import-confirm')).toBeEnabled();
  const wouldAdd = await page.getByTestId('preview-added').textContent();
  expect(Number(wouldAdd)).toBeGreaterThan(0);
  await preview.screenshot({ path: testInfo.outputPath('import-preview.png') });
  if (process.env.CONCORD_E2E_SHOTS) await page.screenshot({ path: path.join(process.env.CONCORD_E2E_SHOTS, 'import-preview.png'), fullPage: true });
  expect(await backendInfo(page)).toEqual(before);

  await page.getByTestId('import-confirm').click();
  await expect(page.getByTestId('import-result')).toBeVisible();
  const after = await backendInfo(page);
  expect(after.questions).toBe(before.questions + pairs.rows);
  expect(after.models).toBe(before.models + 2);
  expect(after.answers).toBe(before.answers + 2 * pairs.rows);
  expect(after.human_votes).toBe(before.human_votes + pairs.rows);
  expect(after.annotators).toBe(before.annotators + pairs.raters.length);
  await expect(page.getByTestId('import-added')).toHaveText(wouldAdd!);
  await expect(page.getByTestId('stat-votes').locator('.value')).toHaveAttribute('data-value', String(after.human_votes));
  expect(await statValue(page, 'questions')).toBe(after.questions);
  expect(await statValue(page, 'annotators')).toBe(after.annotators);
  for (const m of pairs.models) {
    await expect(page.getByTestId('models').locator(`li[data-label="${m}"]`)).toHaveAttribute('data-value', String(pairs.rows));
  }
  if (process.env.CONCORD_E2E_SHOTS) await page.screenshot({ path: path.join(process.env.CONCORD_E2E_SHOTS, 'import-done.png'), fullPage: true });
});


test('a file no importer recognises is read once its columns are mapped', async ({ page }) => {
  const tag = `${Date.now() % 1e6}`;
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'concord-e2e-map-')), `own-${tag}.csv`);
  writeFileSync(file, `instruction,resp1,resp2,pref\n"Say hi, ${tag}.",hi,hello,1\n"Say bye, ${tag}.",bye,ciao,2\n`);
  await openHome(page);
  const before = await backendInfo(page);
  await page.getByTestId('import-path').fill(file);
  await page.getByTestId('import-submit').click();
  await expect(page.getByTestId('preview-error-message')).toContainText('not a file Concord reads');
  await expect(page.getByTestId('preview-kind')).toHaveText(/Not recognised/);
  await expect(page.getByTestId('import-confirm')).toBeDisabled();
  if (process.env.CONCORD_E2E_SHOTS) await page.screenshot({ path: path.join(process.env.CONCORD_E2E_SHOTS, 'import-unmapped.png') });

  await page.getByTestId('map-prompt').selectOption('instruction');
  await page.getByTestId('map-answer_a').selectOption('resp1');
  await page.getByTestId('map-answer_b').selectOption('resp2');
  await expect(page.getByTestId('preview-kind')).toHaveText('Pairs');
  await expect(page.getByTestId('preview-error')).toHaveCount(0);
  await expect(page.getByTestId('preview-row')).toHaveCount(2);
  await page.getByTestId('map-winner').selectOption('pref');
  await expect(page.getByTestId('preview-row').first()).toContainText(': a');
  await page.getByTestId('import-confirm').click();
  await expect(page.getByTestId('import-result')).toBeVisible();
  const after = await backendInfo(page);
  expect([after.questions, after.answers, after.human_votes]).toEqual([before.questions + 2, before.answers + 4, before.human_votes + 2]);
});
