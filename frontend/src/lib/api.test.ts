import { afterEach, describe, expect, it, vi } from 'vitest';
import { BackendError, backendAvailable, importPaths, info, undoVote } from './api';

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

  it('sends the paths to Import and passes its report through', async () => {
    const report = { files: [], unrecognised: ['/a/x.txt'], added: 0, unchanged: 0, replaced: 0 };
    const Import = vi.fn(() => Promise.resolve(report));
    bind({ Import });
    expect(await importPaths(['/a', '/b'])).toEqual(report);
    expect(Import).toHaveBeenCalledWith(['/a', '/b']);
  });

  it('calls the generated binding by its Go name and names it in a failure', async () => {
    const item = { study_id: 3, done: true, turns: [], questions: [], left: [], right: [], reference: [] };
    const Undo = vi.fn(() => Promise.resolve(item));
    bind({ Undo });
    expect(await undoVote(3)).toEqual(item);
    expect(Undo).toHaveBeenCalledWith(3);
    delete window.go;
    const err = await undoVote(3).catch((e) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect(err.method).toBe('Undo');
  });
});
