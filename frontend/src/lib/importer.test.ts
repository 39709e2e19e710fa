import { describe, expect, it, vi } from 'vitest';
import { ImportFlow, detected, isAhead, mapsToSend, rolesFor, totalRecords, type ImportDeps, type ImportRequest } from './importer.svelte';
import type { ImportProgress, ImportReport } from './types';

function fakeDeps() {
  let listener: ((p: ImportProgress) => void) | null = null;
  let settle: { resolve: (r: ImportReport) => void; reject: (e: unknown) => void } | null = null;
  const off = vi.fn(() => {
    listener = null;
  });
  const deps: ImportDeps = {
    importColumns: vi.fn(async () => ({})),
    importFiles: vi.fn(
      (_req: ImportRequest) =>
        new Promise<ImportReport>((resolve, reject) => {
          settle = { resolve, reject };
        }),
    ),
    onImportProgress: (cb) => {
      listener = cb;
      return off;
    },
  };
  return {
    deps,
    off,
    emit: (p: ImportProgress) => listener?.(p),
    resolve: (r: ImportReport) => settle?.resolve(r),
    reject: (e: unknown) => settle?.reject(e),
  };
}

const report: ImportReport = {
  files: [{ path: '/d/question.jsonl', kind: 'questions', records: 80, added: 80, unchanged: 0, replaced: 0 }],
  unrecognised: ['/d/notes.txt'],
  added: 80,
  unchanged: 0,
  replaced: 0,
};

describe('ImportFlow', () => {
  it('shows progress, then the report, and unsubscribes', async () => {
    const f = fakeDeps();
    const flow = new ImportFlow(f.deps);
    const done = flow.run(['/d']);
    expect(flow.phase).toBe('running');
    const p = { file: '/d/question.jsonl', kind: 'questions', records: 80, done_files: 1, total_files: 3 };
    f.emit(p);
    expect(flow.progress).toEqual(p);
    f.resolve(report);
    expect(await done).toEqual(report);
    expect(flow.phase).toBe('done');
    expect(flow.report).toEqual(report);
    expect(f.off).toHaveBeenCalledTimes(1);
  });

  it('only moves forward when progress events arrive out of order', async () => {
    const f = fakeDeps();
    const flow = new ImportFlow(f.deps);
    const done = flow.run(['/d']);
    const at = (done_files: number, records: number) => ({ file: `/d/f${done_files}`, kind: 'questions', records, done_files, total_files: 3 });
    for (const p of [at(0, 0), at(3, 10), at(2, 5), at(1, 0)]) f.emit(p);
    expect(flow.progress).toEqual(at(3, 10));
    f.resolve(report);
    await done;
  });

  it('keeps the error message verbatim', async () => {
    const f = fakeDeps();
    const flow = new ImportFlow(f.deps);
    const done = flow.run(['/d/bad.jsonl']);
    const msg = 'import /d/bad.jsonl:7: field "question_id": unknown question 999';
    f.reject(new Error(msg));
    expect(await done).toBeNull();
    expect(flow.phase).toBe('error');
    expect(flow.error).toBe(msg);
    expect(flow.report).toBeNull();
    expect(f.off).toHaveBeenCalledTimes(1);
  });

  it('refuses a second import while one runs, and empty path lists', async () => {
    const f = fakeDeps();
    const flow = new ImportFlow(f.deps);
    expect(await flow.run([])).toBeNull();
    expect(flow.phase).toBe('idle');
    const first = flow.run(['/a']);
    expect(await flow.run(['/b'])).toBeNull();
    expect(f.deps.importFiles).toHaveBeenCalledTimes(1);
    expect(flow.paths).toEqual(['/a']);
    f.resolve(report);
    await first;
  });

  it('clears the previous result when a new import starts, and on reset', async () => {
    const f = fakeDeps();
    const flow = new ImportFlow(f.deps);
    const a = flow.run(['/a']);
    f.reject('boom');
    await a;
    expect(flow.error).toBe('boom');
    const b = flow.run(['/b']);
    expect(flow.error).toBe('');
    f.resolve(report);
    await b;
    flow.reset();
    expect([flow.phase, flow.report, flow.error]).toEqual(['idle', null, '']);
  });
});

describe('isAhead', () => {
  const p = (done_files: number, records: number) => ({ file: 'f', kind: 'questions', records, done_files, total_files: 5 });
  it.each([
    [null, p(0, 0), true],
    [p(1, 0), p(2, 0), true],
    [p(2, 0), p(1, 900), false],
    [p(1, 10), p(1, 20), true],
    [p(1, 20), p(1, 10), false],
  ])('isAhead(%j, %j) = %s', (prev, next, want) => {
    expect(isAhead(prev, next)).toBe(want);
  });
});

// A pairs file as a dry run reports it.
const pairsPreview: ImportReport = {
  files: [
    {
      path: '/d/prefs.csv',
      kind: 'pairs',
      records: 3,
      added: 9,
      unchanged: 0,
      replaced: 0,
      columns: { prompt: 'instruction', response_a: 'resp1', response_b: 'resp2', question_key: 'p- and the prompt\'s SHA-256', 'label pref': 'prefs (group prefs)', 'label label': 'gold (group gold)' },
      preview: [{ line: 2, question_key: 'p-1', prompt: 'Say hi.', model_a: 'prefs:a', model_b: 'prefs:b', labels: { prefs: 'model_a' } }],
      file_columns: ['instruction', 'label', 'pref', 'resp1', 'resp2', 'rater'],
    },
  ],
  unrecognised: [],
  added: 9,
  unchanged: 0,
  replaced: 0,
};

describe('ImportFlow preview', () => {
  function previewDeps(dryRuns: ((req: ImportRequest) => Promise<ImportReport>)[]) {
    const reqs: ImportRequest[] = [];
    const deps: ImportDeps = {
      importColumns: vi.fn(async (paths: string[]) => Object.fromEntries(paths.filter((p) => p.endsWith('.csv')).map((p) => [p, ['instruction', 'resp1', 'resp2', 'pref', 'rater']]))),
      importFiles: vi.fn((req: ImportRequest) => {
        reqs.push(JSON.parse(JSON.stringify(req)));
        const next = dryRuns.shift();
        return next ? next(req) : Promise.resolve({ ...pairsPreview, unchanged: 0 });
      }),
      onImportProgress: () => () => {},
    };
    return { deps, reqs };
  }

  it('previews with a dry run, re-previews through a changed mapping, then imports through it', async () => {
    const { deps, reqs } = previewDeps([async () => pairsPreview, async () => pairsPreview]);
    const flow = new ImportFlow(deps);
    await flow.start(['/d/prefs.csv']);
    expect(flow.phase).toBe('preview');
    expect(flow.preview).toEqual(pairsPreview);
    expect(flow.columns['/d/prefs.csv']).toContain('rater');
    expect(reqs[0]).toEqual({ paths: ['/d/prefs.csv'], maps: {}, dry_run: true });

    await flow.setMapping('/d/prefs.csv', 'annotator', 'rater');
    expect(reqs[1]).toEqual({ paths: ['/d/prefs.csv'], maps: { '/d/prefs.csv': { annotator: 'rater' } }, dry_run: true });
    expect(flow.phase).toBe('preview');

    const r = await flow.confirm();
    expect(r).not.toBeNull();
    expect(reqs[2]).toEqual({ paths: ['/d/prefs.csv'], maps: { '/d/prefs.csv': { annotator: 'rater' } }, dry_run: false });
    expect(flow.phase).toBe('done');
    expect(flow.preview).toBeNull();
  });

  it('keeps the mapping on screen when a mapped file cannot be read yet, and errors otherwise', async () => {
    const msg = 'import /d/prefs.csv: not a file Concord reads (nothing was written)';
    const { deps } = previewDeps([() => Promise.reject(new Error(msg)), () => Promise.reject(new Error('import /nope: no such file'))]);
    const flow = new ImportFlow(deps);
    await flow.start(['/d/prefs.csv']);
    expect([flow.phase, flow.previewError, flow.preview]).toEqual(['preview', msg, null]);
    expect(await flow.confirm()).toBeNull(); // nothing to import until the preview reads

    flow.reset();
    await flow.start(['/nope']);
    expect([flow.phase, flow.error]).toEqual(['error', 'import /nope: no such file']);
  });

  it('shows only the latest mapping\'s preview when answers arrive out of order', async () => {
    let slow: (r: ImportReport) => void = () => {};
    const later = { ...pairsPreview, added: 42 };
    const { deps } = previewDeps([async () => pairsPreview, () => new Promise((res) => (slow = res)), async () => later]);
    const flow = new ImportFlow(deps);
    await flow.start(['/d/prefs.csv']);
    const first = flow.setMapping('/d/prefs.csv', 'prompt', 'pref');
    await flow.setMapping('/d/prefs.csv', 'prompt', 'instruction');
    slow(pairsPreview);
    await first;
    expect(flow.preview?.added).toBe(42);
    expect(flow.maps['/d/prefs.csv']).toEqual({ prompt: 'instruction' });
  });
});

describe('mapping helpers', () => {
  it('offers the roles of the kind of file', () => {
    expect(rolesFor('answers_table')).toEqual(['question_id', 'prompt', 'category', 'model', 'answer']);
    expect(rolesFor('pairs')).toContain('answer_b');
    expect(rolesFor(undefined)).toEqual(rolesFor('pairs'));
  });

  it.each([
    ['prompt', 'instruction'],
    ['answer_a', 'resp1'],
    ['question_id', 'from the prompt'],
    ['gold', 'label'],
    ['winner', 'pref'],
    ['model_a', ''],
  ])('detected(pairs file, %s) = %j', (role, want) => {
    expect(detected(pairsPreview.files[0], role)).toBe(want);
  });

  it('sends only the roles that were set', () => {
    expect(mapsToSend({ '/a.csv': { prompt: '', winner: 'pref' }, '/b.csv': { prompt: '' } })).toEqual({ '/a.csv': { winner: 'pref' } });
  });

  it('totals the records', () => {
    expect(totalRecords({ ...pairsPreview, files: [pairsPreview.files[0], { ...pairsPreview.files[0], records: 4 }] })).toBe(7);
  });
});
