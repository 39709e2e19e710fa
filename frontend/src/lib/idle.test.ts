import { describe, expect, it } from 'vitest';
import { inIdlePieces, type IdleDeps } from './idle';

// A hand-run scheduler: frames and idle callbacks run when the test says.
function scheduler() {
  let n = 0;
  const frames = new Map<number, () => void>();
  const idles = new Map<number, () => void>();
  const deps: IdleDeps = {
    frame: (cb) => (frames.set(++n, cb), n),
    cancelFrame: (id) => frames.delete(id),
    idle: (cb) => (idles.set(++n, cb), n),
    cancelIdle: (id) => idles.delete(id),
  };
  const runAll = (m: Map<number, () => void>) => {
    const cbs = [...m.values()];
    m.clear();
    cbs.forEach((cb) => cb());
  };
  return { deps, frame: () => runAll(frames), idle: () => runAll(idles), pending: () => frames.size + idles.size };
}

describe('inIdlePieces', () => {
  it('runs nothing before the next frame, then one task per idle callback, in order', () => {
    const s = scheduler();
    const ran: number[] = [];
    inIdlePieces([1, 2, 3].map((k) => () => ran.push(k)), s.deps);
    s.idle();
    expect(ran).toEqual([]);
    s.frame();
    expect(ran).toEqual([]);
    s.idle();
    expect(ran).toEqual([1]);
    s.idle();
    s.idle();
    expect(ran).toEqual([1, 2, 3]);
    expect(s.pending()).toBe(0);
  });

  it.each([
    ['before the frame', 0],
    ['between tasks', 2],
  ])('cancelling %s stops the tasks not yet run', (_name, idles) => {
    const s = scheduler();
    const ran: number[] = [];
    const cancel = inIdlePieces([1, 2, 3].map((k) => () => ran.push(k)), s.deps);
    if (idles > 0) s.frame();
    for (let i = 0; i < idles; i++) s.idle();
    cancel();
    s.frame();
    s.idle();
    s.idle();
    expect(ran).toEqual([1, 2, 3].slice(0, idles));
    expect(s.pending()).toBe(0);
  });

  it('schedules nothing for no tasks', () => {
    const s = scheduler();
    inIdlePieces([], s.deps)();
    expect(s.pending()).toBe(0);
  });
});
