// The state of one import at a time: running with progress, then the report
// or the error (verbatim: the backend names file, line and field).

import { importPaths as apiImport } from './api';
import { onImportProgress as apiProgress } from './events';
import { errorMessage } from './notify.svelte';
import type { ImportProgress, ImportReport } from './types';

export type ImportPhase = 'idle' | 'running' | 'done' | 'error';

export interface ImportDeps {
  importPaths: (paths: string[]) => Promise<ImportReport>;
  onImportProgress: (cb: (p: ImportProgress) => void) => () => void;
}

const realDeps: ImportDeps = { importPaths: apiImport, onImportProgress: apiProgress };

/**
 * isAhead reports whether next is later progress than prev. Events can
 * arrive out of order (the dev build delivers each from its own goroutine),
 * so progress only ever moves forward: more files done, or more records of
 * the same file.
 */
export function isAhead(prev: ImportProgress | null, next: ImportProgress): boolean {
  if (!prev) return true;
  if (next.done_files !== prev.done_files) return next.done_files > prev.done_files;
  return next.records >= prev.records;
}

export class ImportFlow {
  phase = $state<ImportPhase>('idle');
  paths = $state<string[]>([]);
  progress = $state<ImportProgress | null>(null);
  report = $state<ImportReport | null>(null);
  error = $state('');
  #deps: ImportDeps;

  constructor(deps: ImportDeps = realDeps) {
    this.#deps = deps;
  }

  get running(): boolean {
    return this.phase === 'running';
  }

  /**
   * run imports paths and resolves with the report, or null on error or when
   * nothing was given or another import is running.
   */
  async run(paths: string[]): Promise<ImportReport | null> {
    if (this.phase === 'running' || paths.length === 0) return null;
    this.phase = 'running';
    this.paths = paths;
    this.progress = null;
    this.report = null;
    this.error = '';
    const off = this.#deps.onImportProgress((p) => {
      if (this.phase === 'running' && isAhead(this.progress, p)) this.progress = p;
    });
    try {
      const report = await this.#deps.importPaths(paths);
      this.report = report;
      this.phase = 'done';
      return report;
    } catch (e) {
      this.error = errorMessage(e);
      this.phase = 'error';
      return null;
    } finally {
      off();
    }
  }

  /** reset forgets the last result. */
  reset(): void {
    if (this.phase === 'running') return;
    this.phase = 'idle';
    this.progress = null;
    this.report = null;
    this.error = '';
  }
}
