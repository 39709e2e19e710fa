// Work that can wait, done in small pieces while the page is idle, so that a
// key pressed meanwhile is handled between two pieces instead of after all
// of them.

/** IdleDeps are the page's schedulers, replaced in tests. */
export interface IdleDeps {
  /** requestAnimationFrame */
  frame(cb: () => void): number;
  cancelFrame(id: number): void;
  /** requestIdleCallback where the engine has it (WebKitGTK may not), else a zero timeout */
  idle(cb: () => void): number;
  cancelIdle(id: number): void;
}

const browser: IdleDeps = {
  frame: (cb) => requestAnimationFrame(cb),
  cancelFrame: (id) => cancelAnimationFrame(id),
  idle:
    typeof requestIdleCallback === 'function'
      ? (cb) => requestIdleCallback(cb, { timeout: 1000 })
      : (cb) => setTimeout(cb, 0) as unknown as number,
  cancelIdle: typeof cancelIdleCallback === 'function' ? (id) => cancelIdleCallback(id) : (id) => clearTimeout(id),
};

/**
 * inIdlePieces runs each task in its own idle callback, in order, starting
 * after the next frame (so the frame being prepared is not delayed), and
 * returns a function that cancels the tasks not yet run.
 */
export function inIdlePieces(tasks: (() => void)[], deps: IdleDeps = browser): () => void {
  let i = 0;
  let frame: number | undefined;
  let idle: number | undefined;
  let cancelled = false;
  const step = () => {
    idle = undefined;
    if (cancelled || i >= tasks.length) return;
    tasks[i++]();
    if (i < tasks.length) idle = deps.idle(step);
  };
  if (tasks.length > 0) {
    frame = deps.frame(() => {
      frame = undefined;
      if (!cancelled) idle = deps.idle(step);
    });
  }
  return () => {
    cancelled = true;
    if (frame !== undefined) deps.cancelFrame(frame);
    if (idle !== undefined) deps.cancelIdle(idle);
  };
}
