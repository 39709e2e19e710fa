// The state of one import at a time: a preview (a dry run through each
// file's column mapping, redone when a mapping changes), then the import
// with progress, then the report or the error (verbatim: the backend names
// file, line and field).

import { importColumns as apiColumns, importFiles as apiImport } from './api';
import { onImportProgress as apiProgress } from './events';
import { errorMessage } from './notify.svelte';
import type { ImportFileReport, ImportProgress, ImportReport } from './types';

export type ImportPhase = 'idle' | 'previewing' | 'preview' | 'running' | 'done' | 'error';

/** A named file's column mapping: role -> the file's column ("" = as detected). */
export type Mapping = Record<string, string>;

export interface ImportRequest {
  paths: string[];
  maps: Record<string, Mapping>;
  dry_run: boolean;
}

export interface ImportDeps {
  importFiles: (req: ImportRequest) => Promise<ImportReport>;
  importColumns: (paths: string[]) => Promise<Record<string, string[]>>;
  onImportProgress: (cb: (p: ImportProgress) => void) => () => void;
}

const realDeps: ImportDeps = { importFiles: apiImport, importColumns: apiColumns, onImportProgress: apiProgress };

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

// The roles a column map may give, by the kind of file they fill (store's
// mapRoles); a file no importer recognises yet is offered a pairs file's.
const pairRoles = ['prompt', 'answer_a', 'answer_b', 'model_a', 'model_b', 'question_id', 'category', 'winner', 'annotator', 'gold', 'verdict', 'judge_model'];
const tableRoles = ['question_id', 'prompt', 'category', 'model', 'answer'];

/** rolesFor lists the roles the mapping offers for a file of this kind. */
export function rolesFor(kind: string | undefined): string[] {
  return kind === 'answers_table' ? tableRoles : pairRoles;
}

// The field of the dry run's column report that a role fills.
const roleField: Record<string, string> = { answer_a: 'response_a', answer_b: 'response_b', question_id: 'question_key' };

/**
 * detected says which column fills a role as the file is read now (the dry
 * run's column report), or '' when none does; label roles read every
 * "label <column>" entry whose annotator matches.
 */
export function detected(file: ImportFileReport | undefined, role: string): string {
  const cols = file?.columns ?? {};
  const field = roleField[role] ?? role;
  if (cols[field]) return field === 'question_key' && cols[field].startsWith('p- and') ? 'from the prompt' : cols[field];
  const labels = Object.keys(cols)
    .filter((k) => k.startsWith('label '))
    .map((k) => k.slice('label '.length));
  if (role === 'gold') return labels.filter((c) => /\(group gold\)$/.test(cols['label ' + c])).join(', ');
  if (role === 'verdict') return labels.filter((c) => /^(verdict|judge_verdict)$/.test(c)).join(', ');
  if (role === 'winner') return labels.filter((c) => !/\(group gold\)$/.test(cols['label ' + c]) && !/^(verdict|judge_verdict)$/.test(c)).join(', ');
  return '';
}

/** mapsToSend drops the roles left as detected and the files left unmapped. */
export function mapsToSend(maps: Record<string, Mapping>): Record<string, Mapping> {
  const out: Record<string, Mapping> = {};
  for (const [path, m] of Object.entries(maps)) {
    const set = Object.fromEntries(Object.entries(m).filter(([, col]) => col !== ''));
    if (Object.keys(set).length > 0) out[path] = set;
  }
  return out;
}

/** totals sums a report's records over its files. */
export function totalRecords(r: ImportReport): number {
  return r.files.reduce((n, f) => n + f.records, 0);
}

export class ImportFlow {
  phase = $state<ImportPhase>('idle');
  paths = $state<string[]>([]);
  progress = $state<ImportProgress | null>(null);
  report = $state<ImportReport | null>(null);
  error = $state('');
  /** The dry run's report, or null when it failed (then previewError says why). */
  preview = $state<ImportReport | null>(null);
  previewError = $state('');
  /** Each named file's columns, and the mapping chosen for it. */
  columns = $state<Record<string, string[]>>({});
  maps = $state<Record<string, Mapping>>({});
  #deps: ImportDeps;
  #seq = 0;

  constructor(deps: ImportDeps = realDeps) {
    this.#deps = deps;
  }

  get running(): boolean {
    return this.phase === 'running';
  }

  /** busy: a call is out (a preview or an import). */
  get busy(): boolean {
    return this.phase === 'running' || this.phase === 'previewing';
  }

  /**
   * start previews paths: their columns, then a dry run. A failed dry run
   * of files whose columns could be mapped stays in the preview, with the
   * error beside the mapping; any other failure is the error phase.
   */
  async start(paths: string[]): Promise<void> {
    if (this.busy || paths.length === 0) return;
    this.phase = 'previewing';
    this.paths = paths;
    this.report = null;
    this.error = '';
    this.preview = null;
    this.previewError = '';
    this.maps = {};
    try {
      this.columns = await this.#deps.importColumns(paths);
    } catch (e) {
      this.columns = {};
      this.error = errorMessage(e);
      this.phase = 'error';
      return;
    }
    this.maps = Object.fromEntries(Object.keys(this.columns).map((p) => [p, {}]));
    await this.#dryRun();
  }

  /** setMapping maps a role of a file to one of its columns ('' = as detected) and previews again. */
  async setMapping(path: string, role: string, column: string): Promise<void> {
    if (this.phase !== 'preview' && this.phase !== 'previewing') return;
    this.maps = { ...this.maps, [path]: { ...(this.maps[path] ?? {}), [role]: column } };
    await this.#dryRun();
  }

  async #dryRun(): Promise<void> {
    const seq = ++this.#seq;
    this.phase = 'previewing';
    try {
      const r = await this.#deps.importFiles({ paths: [...this.paths], maps: mapsToSend(this.maps), dry_run: true });
      if (seq !== this.#seq) return; // a later mapping's preview is on its way
      this.preview = r;
      this.previewError = '';
      this.phase = 'preview';
    } catch (e) {
      if (seq !== this.#seq) return;
      this.preview = null;
      if (Object.keys(this.columns).length > 0) {
        this.previewError = errorMessage(e);
        this.phase = 'preview';
      } else {
        this.error = errorMessage(e);
        this.phase = 'error';
      }
    }
  }

  /** confirm imports what the preview showed, through its mappings. */
  async confirm(): Promise<ImportReport | null> {
    if (this.phase !== 'preview' || !this.preview) return null;
    return this.#import([...this.paths], mapsToSend(this.maps));
  }

  /**
   * run imports paths without a preview (returned study packages) and
   * resolves with the report, or null on error or when nothing was given or
   * another call is out.
   */
  async run(paths: string[]): Promise<ImportReport | null> {
    if (this.busy || paths.length === 0) return null;
    return this.#import(paths, {});
  }

  async #import(paths: string[], maps: Record<string, Mapping>): Promise<ImportReport | null> {
    this.phase = 'running';
    this.paths = paths;
    this.progress = null;
    this.report = null;
    this.error = '';
    const off = this.#deps.onImportProgress((p) => {
      if (this.phase === 'running' && isAhead(this.progress, p)) this.progress = p;
    });
    try {
      const report = await this.#deps.importFiles({ paths, maps, dry_run: false });
      this.report = report;
      this.phase = 'done';
      return report;
    } catch (e) {
      this.error = errorMessage(e);
      this.phase = 'error';
      return null;
    } finally {
      off();
      this.preview = null;
      this.previewError = '';
    }
  }

  /** reset forgets the last result or preview. */
  reset(): void {
    if (this.busy) return;
    this.#seq++;
    this.phase = 'idle';
    this.progress = null;
    this.report = null;
    this.preview = null;
    this.previewError = '';
    this.columns = {};
    this.maps = {};
    this.error = '';
  }
}
