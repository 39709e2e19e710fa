// The latency trace: with CONCORD_TRACE=FILE set, the window times every vote
// from the keydown event to the first frame that shows the next item, and the
// start-up until the home screen's counts are on screen, and hands each record
// to Go, which appends it to FILE as a JSON line. With tracing off (Go says so
// once) nothing is sent and the hooks return at once.
import {
  traceEnabled,
  traceStartup as sendStartup,
  traceVote as sendVote,
  type StartupTiming,
  type VoteTiming,
} from './api';

/** A keydown event's timestamp further than this before its handler is not believed (an engine with another clock). */
export const MAX_QUEUE_MS = 1000;
/** A vote belongs to the key marked at most this long before the vote's handler started. */
export const KEY_MATCH_MS = 5;
/** The home screen's questions count once it holds a number. */
export const STARTUP_SELECTOR = '[data-testid="stat-questions"] [data-value]:not([data-value=""])';
/** Start-up is not waited for longer than this (the window opened on another screen). */
export const STARTUP_WAIT_MS = 120_000;

/** VoteMarks are performance.now() readings taken in the vote handler. */
export interface VoteMarks {
  /** the keydown event's timeStamp; absent for a click */
  key?: number;
  /** the handler started */
  start: number;
  /** the Go call returned the next item */
  called: number;
  /** the DOM shows it */
  updated: number;
  /** the frame after that has begun */
  painted: number;
}

/**
 * voteTiming turns a vote's marks into its record: total = queue + call +
 * dom + paint, where queue (keydown event → handler) is 0 when there was no
 * key or its timestamp is not on the page's clock.
 */
export function voteTiming(m: VoteMarks): VoteTiming {
  const lag = m.key === undefined ? NaN : m.start - m.key;
  const queue = lag >= 0 && lag < MAX_QUEUE_MS ? lag : 0;
  const call = m.called - m.start;
  const dom = m.updated - m.called;
  const paint = m.painted - m.updated;
  return { total_ms: queue + call + dom + paint, queue_ms: queue, call_ms: call, dom_ms: dom, paint_ms: paint };
}

/** TraceDeps are the tracer's ties to Go and the page, replaced in tests. */
export interface TraceDeps {
  enabled(): Promise<boolean>;
  vote(t: VoteTiming): Promise<void>;
  startup(t: StartupTiming): Promise<void>;
  /** performance.now() */
  now(): number;
  /** performance.timeOrigin, in Unix ms */
  timeOrigin: number;
  /** resolves once the next frame has been produced */
  nextFrame(): Promise<void>;
  /** when the page's scripts had run (DOMContentLoaded), in performance.now() ms; 0 when unknown */
  loaded(): number;
}

/** Tracer reads once whether tracing is on and sends the records when it is. */
export class Tracer {
  private on: boolean | undefined;
  private reading: Promise<boolean> | undefined;
  private key: { stamp: number; at: number } | null = null;

  constructor(private readonly deps: TraceDeps) {}

  /** enabled asks Go once; a failed call (no backend) means off. */
  enabled(): Promise<boolean> {
    this.reading ??= this.deps.enabled().then(
      (on) => (this.on = on === true),
      () => (this.on = false),
    );
    return this.reading;
  }

  /** markKey remembers a vote key's event, right before its handler casts the vote. */
  markKey(e: { timeStamp: number }): void {
    if (this.on === false) return;
    this.key = { stamp: e.timeStamp, at: this.deps.now() };
  }

  /** vote sends a vote's record; the key marked just before its start, if any, gives the queue part. */
  async vote(m: Omit<VoteMarks, 'key'>): Promise<void> {
    const k = this.key;
    this.key = null;
    if (this.on === false) return;
    const key = k && m.start >= k.at && m.start - k.at <= KEY_MATCH_MS ? k.stamp : undefined;
    const t = voteTiming({ ...m, key });
    if (!(await this.enabled())) return;
    await this.deps.vote(t).catch((e) => console.warn('trace: vote record not written:', e));
  }

  /**
   * startup waits until root holds selector, then for the next frame, and
   * sends the moment to Go. It watches from the first call, so the counts are
   * not missed while Go answers whether tracing is on, and stops watching as
   * soon as it is not.
   */
  async startup(root: ParentNode & Node, selector = STARTUP_SELECTOR, waitMS = STARTUP_WAIT_MS): Promise<void> {
    let stop = () => {};
    const shown = new Promise<boolean>((resolve) => {
      if (root.querySelector(selector)) return resolve(true);
      const obs = new MutationObserver(() => {
        if (root.querySelector(selector)) finish(true);
      });
      const timer = setTimeout(() => finish(false), waitMS);
      const finish = (ok: boolean) => {
        obs.disconnect();
        clearTimeout(timer);
        resolve(ok);
      };
      stop = () => finish(false);
      obs.observe(root, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-value'] });
    });
    const painted = shown.then(async (ok) => {
      if (!ok) return null;
      await this.deps.nextFrame();
      return this.deps.now();
    });
    if (!(await this.enabled())) {
      stop();
      return;
    }
    const at = await painted;
    if (at === null) return;
    await this.deps
      .startup({ shown_at_ms: this.deps.timeOrigin + at, page_ms: at, loaded_ms: this.deps.loaded() })
      .catch((e) => console.warn('trace: start-up record not written:', e));
  }
}

/** domLoaded is the navigation's DOMContentLoaded (after module scripts ran), in performance.now() ms; 0 when unknown. */
export function domLoaded(perf: Pick<Performance, 'getEntriesByType'> | undefined = globalThis.performance): number {
  const nav = perf?.getEntriesByType?.('navigation')[0] as PerformanceNavigationTiming | undefined;
  return nav?.domContentLoadedEventStart ?? 0;
}

/** nextFrame resolves after the next frame has been produced (a task queued from its animation frame callback). */
export const nextFrame = () => new Promise<void>((r) => requestAnimationFrame(() => setTimeout(r, 0)));

const tracer = new Tracer({
  enabled: traceEnabled,
  vote: sendVote,
  startup: sendStartup,
  now: () => performance.now(),
  timeOrigin: typeof performance === 'undefined' ? 0 : performance.timeOrigin,
  nextFrame,
  loaded: () => domLoaded(),
});

/** markKey: call in the keydown handler right before it casts a vote. */
export function markKey(e: { timeStamp: number }): void {
  tracer.markKey(e);
}

/** traceVote: call once the next item is painted, with the handler's marks. */
export function traceVote(m: Omit<VoteMarks, 'key'>): void {
  void tracer.vote(m);
}

/** traceStartup: call once when the window starts; records when the home screen's counts are shown. */
export function traceStartup(): void {
  void tracer.startup(document);
}
