import { describe, expect, it, vi } from 'vitest';
import { ImportFlow, isAhead, type ImportDeps } from './importer.svelte';
import type { ImportProgress, ImportReport } from './types';

function fakeDeps() {
  let listener: ((p: ImportProgress) => void) | null = null;
  let settle: { resolve: (r: ImportReport) => void; reject: (e: unknown) => void } | null = null;
  const off = vi.fn(() => {
    listener = null;
  });
  const deps: ImportDeps = {
    importPaths: vi.fn(
      () =>
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
    expect(f.deps.importPaths).toHaveBeenCalledTimes(1);
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
