import { afterEach, describe, expect, it, vi } from 'vitest';
import { BackendError, backendAvailable, importPaths, info, pickImportFiles, pickImportFolder, undoVote } from './api';

function bind(methods: Record<string, (...a: never[]) => Promise<unknown>>) {
  window.go = { app: { App: methods } };
}

afterEach(() => {
  delete window.go;
});

describe('api', () => {
  it('rejects with a clear message when the backend is absent', async () => {
    expect(backendAvailable()).toBe(false);
    await expect(info()).rejects.toThrow(/backend method Info is not available/);
  });

  it.each([
    ['an Error', new Error('import /d/q.jsonl:3: field "turns": want array')],
    ['a string', 'import /d/q.jsonl:3: field "turns": want array'],
  ])('passes the Go error message through verbatim when rejected with %s', async (_n, rejection) => {
    bind({ Import: () => Promise.reject(rejection) });
    const err = await importPaths(['/d']).catch((e) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect(err.message).toBe('import /d/q.jsonl:3: field "turns": want array');
    expect(err.method).toBe('Import');
  });

  it('sends the paths to Import and fills absent lists', async () => {
    const Import = vi.fn(() => Promise.resolve({ files: null, unrecognised: null, added: 0, unchanged: 0 }));
    bind({ Import });
    const r = await importPaths(['/a', '/b']);
    expect(Import).toHaveBeenCalledWith(['/a', '/b']);
    expect(r.files).toEqual([]);
    expect(r.unrecognised).toEqual([]);
  });

  it('normalises Info: null lists, and both count shapes', async () => {
    bind({
      Info: () =>
        Promise.resolve({
          db_path: '/x.db',
          questions: 12,
          models: 3,
          answers: 36,
          human_votes: 5,
          annotators: 2,
          judge_verdicts: null,
          categories: [{ name: 'math', count: 2 }, { name: 'coding', questions: 3 }],
          model_list: [{ name: 'demo-aurora', answers: 12 }],
          groups: null,
          judges: null,
          demo: true,
        }),
    });
    expect(backendAvailable()).toBe(true);
    const i = await info();
    expect(i.categories).toEqual([
      { name: 'math', count: 2 },
      { name: 'coding', count: 3 },
    ]);
    expect(i.model_list).toEqual([{ name: 'demo-aurora', count: 12 }]);
    expect([i.judge_verdicts, i.groups, i.judges]).toEqual([{}, [], []]);
  });

  it('calls the generated binding by its Go name and fills the lists of an item', async () => {
    const Undo = vi.fn(() => Promise.resolve({ study_id: 3, done: true, turns: null, questions: null, left: null, right: null, reference: null }));
    bind({ Undo });
    const it = await undoVote(3);
    expect(Undo).toHaveBeenCalledWith(3);
    expect([it.turns, it.questions, it.left, it.right, it.reference]).toEqual([[], [], [], [], []]);
    delete window.go;
    const err = await undoVote(3).catch((e) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect(err.method).toBe('Undo');
  });

  it('maps cancelled pickers to empty values', async () => {
    bind({ PickImportFiles: () => Promise.resolve(null), PickImportFolder: () => Promise.resolve('') });
    expect(await pickImportFiles()).toEqual([]);
    expect(await pickImportFolder()).toBe('');
  });
});
