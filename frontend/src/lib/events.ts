// The one module that subscribes to backend events (Wails runtime EventsOn).
// Each subscription returns its unsubscribe function: call it when the view
// that subscribed goes away.

import type { ImportProgress } from './types';

export const IMPORT_PROGRESS = 'import:progress';

function subscribe<T>(name: string, cb: (data: T) => void): () => void {
  const rt = window.runtime;
  if (!rt?.EventsOn) return () => {};
  const off = rt.EventsOn(name, (data: unknown) => cb(data as T));
  return typeof off === 'function' ? off : () => {};
}

/** onImportProgress calls cb for every import:progress event. */
export function onImportProgress(cb: (p: ImportProgress) => void): () => void {
  return subscribe<ImportProgress>(IMPORT_PROGRESS, cb);
}

// ---- judge -----------------------------------------------------------------

import type { JudgeStatus } from '../judge/types';

export const JUDGE_PROGRESS = 'judge:progress';
export const JUDGE_DONE = 'judge:done';

/** onJudgeProgress calls cb with the run's status about four times a second. */
export function onJudgeProgress(cb: (s: JudgeStatus) => void): () => void {
  return subscribe<JudgeStatus>(JUDGE_PROGRESS, cb);
}

/** onJudgeDone calls cb once when a run ends (finished, cancelled or stopped). */
export function onJudgeDone(cb: (s: JudgeStatus) => void): () => void {
  return subscribe<JudgeStatus>(JUDGE_DONE, cb);
}

// ---- batch runs ------------------------------------------------------------

import type { BatchStatus } from './api';

export const BATCH_STATUS = 'batch:status';

/** onBatchStatus calls cb with every recorded batch whenever one changes. */
export function onBatchStatus(cb: (s: BatchStatus[]) => void): () => void {
  return subscribe<BatchStatus[]>(BATCH_STATUS, cb);
}

// ---- probes ------------------------------------------------------------------

export const PROBE_PROGRESS = 'probe:progress';

/** ProbeProgress is the payload of probe:progress (app.ProbeProgress). */
export interface ProbeProgress {
  kind: string;
  probeJudge: string;
  progress: JudgeStatus['progress'];
}

/** onProbeProgress calls cb with a running probe's counters, and once finished. */
export function onProbeProgress(cb: (p: ProbeProgress) => void): () => void {
  return subscribe<ProbeProgress>(PROBE_PROGRESS, cb);
}
