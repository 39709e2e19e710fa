import { describe, expect, it, vi } from 'vitest';
import { KEY_MATCH_MS, MAX_QUEUE_MS, Tracer, domLoaded, voteTiming, type TraceDeps, type VoteMarks } from './trace';
import type { StartupTiming, VoteTiming } from './api';

describe('voteTiming', () => {
  const cases: { name: string; marks: VoteMarks; want: VoteTiming }[] = [
    {
      name: 'a key: the queue from the event to the handler counts',
      marks: { key: 99, start: 100, called: 104, updated: 120, painted: 131 },
      want: { total_ms: 32, queue_ms: 1, call_ms: 4, dom_ms: 16, paint_ms: 11 },
    },
    {
      name: 'a click: no queue',
      marks: { start: 100, called: 103, updated: 110, painted: 126 },
      want: { total_ms: 26, queue_ms: 0, call_ms: 3, dom_ms: 7, paint_ms: 16 },
    },
    {
      name: 'an event stamped on another clock (Unix ms) is not believed',
      marks: { key: 1_700_000_000_000, start: 100, called: 102, updated: 104, painted: 110 },
      want: { total_ms: 10, queue_ms: 0, call_ms: 2, dom_ms: 2, paint_ms: 6 },
    },
    {
      name: 'an event stamped after its handler is not believed',
      marks: { key: 101, start: 100, called: 102, updated: 104, painted: 110 },
      want: { total_ms: 10, queue_ms: 0, call_ms: 2, dom_ms: 2, paint_ms: 6 },
    },
    {
      name: 'a queue at the limit is not believed',
      marks: { key: 0, start: MAX_QUEUE_MS, called: MAX_QUEUE_MS + 1, updated: MAX_QUEUE_MS + 2, painted: MAX_QUEUE_MS + 3 },
      want: { total_ms: 3, queue_ms: 0, call_ms: 1, dom_ms: 1, paint_ms: 1 },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(voteTiming(c.marks)).toEqual(c.want);
    });
  }
});

function fakeDeps(on: boolean | Error) {
  let clock = 0;
  const votes: VoteTiming[] = [];
  const startups: StartupTiming[] = [];
  let frame: () => void = () => {};
  const deps: TraceDeps = {
    enabled: vi.fn(() => (on instanceof Error ? Promise.reject(on) : Promise.resolve(on))),
    vote: vi.fn(async (t: VoteTiming) => void votes.push(t)),
    startup: vi.fn(async (t: StartupTiming) => void startups.push(t)),
    now: () => clock,
    timeOrigin: 1_700_000_000_000,
    nextFrame: () => new Promise<void>((r) => (frame = r)),
    loaded: () => 120,
  };
  return {
    deps,
    votes,
    startups,
    setClock: (ms: number) => (clock = ms),
    paint: () => frame(),
  };
}

describe('Tracer.vote', () => {
  it('sends the record of a keyed vote, the queue taken from the key marked just before', async () => {
    const f = fakeDeps(true);
    const t = new Tracer(f.deps);
    f.setClock(100);
    t.markKey({ timeStamp: 97.5 });
    await t.vote({ start: 100.25, called: 105, updated: 120, painted: 130 });
    expect(f.votes).toEqual([{ total_ms: 32.5, queue_ms: 2.75, call_ms: 4.75, dom_ms: 15, paint_ms: 10 }]);
  });

  it('does not lend a key to a later click', async () => {
    const f = fakeDeps(true);
    const t = new Tracer(f.deps);
    f.setClock(100);
    t.markKey({ timeStamp: 99 });
    await t.vote({ start: 100 + KEY_MATCH_MS + 1, called: 110, updated: 111, painted: 112 });
    await t.vote({ start: 200, called: 201, updated: 202, painted: 203 });
    expect(f.votes.map((v) => v.queue_ms)).toEqual([0, 0]);
  });

  it('asks Go once whether tracing is on', async () => {
    const f = fakeDeps(true);
    const t = new Tracer(f.deps);
    for (let i = 0; i < 3; i++) await t.vote({ start: i, called: i + 1, updated: i + 2, painted: i + 3 });
    expect(f.deps.enabled).toHaveBeenCalledTimes(1);
    expect(f.votes).toHaveLength(3);
  });

  it.each([
    ['off', false],
    ['no backend', new Error('the backend method TraceEnabled is not available')],
  ])('sends nothing when tracing is %s', async (_, on) => {
    const f = fakeDeps(on);
    const t = new Tracer(f.deps);
    t.markKey({ timeStamp: 0 });
    await t.vote({ start: 1, called: 2, updated: 3, painted: 4 });
    await t.vote({ start: 5, called: 6, updated: 7, painted: 8 });
    expect(f.deps.vote).not.toHaveBeenCalled();
    expect(f.deps.enabled).toHaveBeenCalledTimes(1);
  });

  it('a failed write does not reach the vote handler', async () => {
    const f = fakeDeps(true);
    f.deps.vote = vi.fn(() => Promise.reject(new Error('disk full')));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    await expect(new Tracer(f.deps).vote({ start: 1, called: 2, updated: 3, painted: 4 })).resolves.toBeUndefined();
    expect(warn).toHaveBeenCalled();
    warn.mockRestore();
  });
});

describe('Tracer.startup', () => {
  const counts = (value: string) => `<div data-testid="stat-questions"><div class="value" data-value="${value}"></div></div>`;

  it('records the frame after the counts appear, in Unix ms and page ms', async () => {
    const f = fakeDeps(true);
    const root = document.createElement('div');
    root.innerHTML = counts('');
    const done = new Tracer(f.deps).startup(root);
    await Promise.resolve();
    f.setClock(300);
    root.querySelector('[data-value]')!.setAttribute('data-value', '80');
    await new Promise((r) => setTimeout(r, 0)); // the observer has fired; the frame is awaited
    expect(f.deps.startup).not.toHaveBeenCalled();
    f.setClock(316);
    f.paint();
    await done;
    expect(f.startups).toEqual([{ shown_at_ms: 1_700_000_000_316, page_ms: 316, loaded_ms: 120 }]);
  });

  it('counts already on screen are recorded at the next frame', async () => {
    const f = fakeDeps(true);
    const root = document.createElement('div');
    root.innerHTML = counts('12');
    f.setClock(50);
    const done = new Tracer(f.deps).startup(root);
    await new Promise((r) => setTimeout(r, 0));
    f.paint();
    await done;
    expect(f.startups).toEqual([{ shown_at_ms: 1_700_000_000_050, page_ms: 50, loaded_ms: 120 }]);
  });

  it('records nothing and stops watching when tracing is off', async () => {
    const f = fakeDeps(false);
    const root = document.createElement('div');
    root.innerHTML = counts('');
    await new Tracer(f.deps).startup(root);
    root.querySelector('[data-value]')!.setAttribute('data-value', '80');
    await new Promise((r) => setTimeout(r, 0));
    expect(f.deps.startup).not.toHaveBeenCalled();
  });

  it('gives up when the counts never show', async () => {
    const f = fakeDeps(true);
    const root = document.createElement('div');
    await new Tracer(f.deps).startup(root, undefined, 10);
    expect(f.deps.startup).not.toHaveBeenCalled();
  });
});

describe('domLoaded', () => {
  const perf = (entries: object[]) => ({ getEntriesByType: (t: string) => (t === 'navigation' ? entries : []) }) as unknown as Performance;
  it("is the navigation entry's DOMContentLoaded", () => {
    expect(domLoaded(perf([{ domContentLoadedEventStart: 412.5 }]))).toBe(412.5);
  });
  it('is 0 without a navigation entry or a performance object', () => {
    expect(domLoaded(perf([]))).toBe(0);
    expect(domLoaded(undefined)).toBe(0);
  });
});
