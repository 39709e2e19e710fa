// The one module that calls the Go bindings: the functions and models Wails
// generates from app.App (`npm run bindings` writes them to wailsjs/, before
// every check, test and build), so a renamed Go method or field fails
// svelte-check instead of a click. Screens import the wrappers below, which
// name each failure, and never touch window.go or wailsjs/ themselves. Go
// sends every list as an array, never null (app/bound_test.go checks), so
// the values pass through as the models type them.
//
// Feature screens add their wrappers here, one section per feature.

import * as App from '../../wailsjs/go/app/App';
import type { app } from '../../wailsjs/go/models';
import type { ImportReport, Info } from './types';
import type { Experiment } from './report-types';

interface WailsRuntime {
  EventsOn(name: string, cb: (...data: unknown[]) => void): () => void;
  BrowserOpenURL?(url: string): void;
}

declare global {
  interface Window {
    go?: { app?: { App?: Record<string, ((...args: never[]) => Promise<unknown>) | undefined> } };
    runtime?: WailsRuntime;
  }
}

/** BackendError is what every failed call rejects with; message is shown verbatim. */
export class BackendError extends Error {
  readonly method: string;
  constructor(method: string, message: string) {
    super(message);
    this.name = 'BackendError';
    this.method = method;
  }
}

function messageOf(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === 'string') return e;
  try {
    return JSON.stringify(e);
  } catch {
    return String(e);
  }
}

// The Go name of each generated function, for messages (minified builds
// rename the functions, not the module's export names).
const names = new Map<unknown, string>(Object.entries(App).map(([name, fn]) => [fn, name]));

/** call runs a generated binding, turning an absent backend or a Go error into a BackendError. */
export async function call<A extends unknown[], T>(fn: (...args: A) => Promise<T>, ...args: A): Promise<T> {
  const method = names.get(fn) ?? fn.name;
  if (typeof window.go?.app?.App?.[method] !== 'function') {
    throw new BackendError(method, `the backend method ${method} is not available (is Concord running?)`);
  }
  try {
    return await fn(...args);
  } catch (e) {
    throw new BackendError(method, messageOf(e));
  }
}

/** omitted sends a request whose absent fields Go reads as their zero values. */
function omitted<T>(req: Partial<T>): T {
  return req as T;
}

/** backendAvailable reports whether the Go bindings are present. */
export function backendAvailable(): boolean {
  return typeof window.go?.app?.App?.Info === 'function';
}

// ---- home and import -------------------------------------------------------

/** info returns the database's counts. */
export function info(): Promise<Info> {
  return call(App.Info);
}

/** pickImportFiles opens the native file picker; [] when cancelled. */
export function pickImportFiles(): Promise<string[]> {
  return call(App.PickImportFiles);
}

/** pickImportFolder opens the native folder picker; "" when cancelled. */
export function pickImportFolder(): Promise<string> {
  return call(App.PickImportFolder);
}

/** importPaths imports files and folders in one atomic step. */
export function importPaths(paths: string[]): Promise<ImportReport> {
  return call(App.Import, paths);
}

/**
 * importFiles imports files and folders through each named file's column
 * map (role -> the file's column); with dry_run it writes nothing and
 * reports what would be stored.
 */
export async function importFiles(req: app.ImportRequest): Promise<ImportReport> {
  const r = await call(App.ImportFiles, req);
  return { ...r, files: r.files ?? [], unrecognised: r.unrecognised ?? [] };
}

/** importColumns returns each named file's column names (folders have none). */
export async function importColumns(paths: string[]): Promise<Record<string, string[]>> {
  return (await call(App.ImportColumns, paths)) ?? {};
}

// ---- runtime ---------------------------------------------------------------

/** openExternal opens an http(s) or mailto link in the system browser. */
export function openExternal(url: string): void {
  if (!/^(https?:|mailto:)/i.test(url)) return;
  if (window.runtime?.BrowserOpenURL) window.runtime.BrowserOpenURL(url);
  else window.open(url, '_blank', 'noopener,noreferrer');
}

// ---- judge -----------------------------------------------------------------

import type { JudgePlan, JudgeRequest, JudgeStatus, RatingRow, Verdict, VerdictDetail } from '../judge/types';

/** judgeDryRun says what a run would send and roughly cost; it sends nothing. */
export function judgeDryRun(req: JudgeRequest): Promise<JudgePlan> {
  return call(App.JudgeDryRun, req);
}

/** judgeStart starts a run in the background and returns its id (progress arrives as events). */
export function judgeStart(req: JudgeRequest): Promise<number> {
  return call(App.JudgeStart, req);
}

/** judgeCancel stops the running run, keeping every finished game. */
export function judgeCancel(): Promise<void> {
  return call(App.JudgeCancel);
}

/** judgeStatus reports the current or last run of this window. */
export async function judgeStatus(): Promise<JudgeStatus> {
  const s = await call(App.JudgeStatus);
  // Go's Outcome* constants; the model says only "string".
  return { ...s, outcome: s.outcome as JudgeStatus['outcome'] };
}

/** setAPIKey saves the key in the user's config folder (an empty key removes it); it is never read back. */
export function setAPIKey(key: string): Promise<void> {
  return call(App.SetAPIKey, key);
}

/** apiKeySource says where a run would take its key from: "env VAR", "key file" or "none". */
export function apiKeySource(envVar: string): Promise<string> {
  return call(App.APIKeySource, envVar);
}

/** judgePrompts lists the prompt sets ("concord", "fastchat") and single prompts by name. */
export function judgePrompts(): Promise<string[]> {
  return call(App.JudgePrompts);
}

/** judgeVerdicts lists a judge's verdicts; questionId 0 means every question. */
export function judgeVerdicts(judge: string, questionId = 0): Promise<Verdict[]> {
  return call(App.JudgeVerdicts, judge, questionId);
}

/** judgeRatings lists a judge's single-answer ratings (score or error, and the explanation). */
export function judgeRatings(judge: string): Promise<RatingRow[]> {
  return call(App.JudgeRatings, judge);
}

/** judgeVerdict returns one verdict with its question and both answers. */
export function judgeVerdict(judge: string, id: number): Promise<VerdictDetail> {
  return call(App.JudgeVerdict, judge, id);
}

// ---- annotate --------------------------------------------------------------

import type { AnnotateItem, StudySpec, StudySummary, VoteInput } from './types';

/** createStudy draws a study's items from the imported data. */
export async function createStudy(spec: Omit<StudySpec, 'pairs'> & Partial<Pick<StudySpec, 'pairs'>>): Promise<StudySummary> {
  const s = await call(App.CreateStudy, omitted<StudySpec>(spec));
  return { ...s, progress: { done: 0, total: s.units, time_ms: 0, pace_ms: 0 }, activity: { votes: 0, annotators: 0 } };
}

/** studies lists the studies with the local annotator's progress. */
export function studies(): Promise<StudySummary[]> {
  return call(App.Studies);
}

/** annotator returns who votes on this machine ("" until set). */
export function annotator(): Promise<string> {
  return call(App.Annotator);
}

/** setAnnotator remembers who votes on this machine. */
export async function setAnnotator(name: string): Promise<void> {
  await call(App.SetAnnotator, name);
}

/** nextItem returns the next turn to vote (done: true when none is left). */
export function nextItem(studyID: number): Promise<AnnotateItem> {
  return call(App.NextItem, studyID);
}

/** vote resolves only after the vote is committed, with the next item. */
export function vote(v: VoteInput): Promise<AnnotateItem> {
  return call(App.Vote, v);
}

/** undo withdraws the last vote in the study and returns that item again. */
export function undoVote(studyID: number): Promise<AnnotateItem> {
  return call(App.Undo, studyID);
}

// ---- study packages (team annotation) ---------------------------------------

import type { store } from '../../wailsjs/go/models';

export type PackOptions = store.PackOptions;
export type PackResult = store.PackResult;
export type PackageInfo = store.PackageInfo;
export type StudyProgress = app.StudyProgress;
export type AnnotatorProgress = app.AnnotatorProgress;

/** currentPackage says what study package the window is open on; null for any other database. */
export async function currentPackage(): Promise<PackageInfo | null> {
  return (await call(App.Package)) ?? null;
}

/** packStudy writes one blind package per annotator (concord study pack). */
export function packStudy(studyID: number, opts: PackOptions): Promise<PackResult> {
  return call(App.PackStudy, studyID, opts);
}

/** pickPackFolder opens a folder picker for the packages; "" when cancelled. */
export function pickPackFolder(): Promise<string> {
  return call(App.PickPackFolder);
}

/** pickPackage opens a file picker for a .concord package; "" when cancelled. */
export function pickPackage(): Promise<string> {
  return call(App.PickPackage);
}

/** openPackage opens a study package in a window of its own. */
export function openPackage(path: string): Promise<void> {
  return call(App.OpenPackage, path);
}

/** studyProgress is the lead's view of a study's annotators. */
export function studyProgress(studyID: number): Promise<StudyProgress> {
  return call(App.StudyProgress, studyID);
}

/** setAnnotatorExcluded leaves an annotator out of a study's report, or takes them back. */
export function setAnnotatorExcluded(studyID: number, annotator: string, excluded: boolean): Promise<void> {
  return call(App.SetAnnotatorExcluded, studyID, annotator, excluded);
}

/** onFileDrop calls back with the paths of files dropped on the window (Wails runtime); returns the unsubscribe. */
export function onFileDrop(cb: (paths: string[]) => void): () => void {
  const rt = window.runtime as (WailsRuntime & { OnFileDrop?: (f: (x: number, y: number, p: string[]) => void, useDropTarget: boolean) => void; OnFileDropOff?: () => void }) | undefined;
  if (!rt?.OnFileDrop) return () => {};
  rt.OnFileDrop((_x, _y, paths) => cb(paths ?? []), false);
  return () => rt.OnFileDropOff?.();
}

// ---- report ------------------------------------------------------------------

import type {
  AnnotateMoreRequest,
  AuditReport,
  DisagreementFilter,
  DisagreementUnit,
  ReportOptions,
  UnitDetail,
} from './report-types';

/** auditReport computes the audit for a judge, annotator group and turn. */
export async function auditReport(opts: ReportOptions): Promise<AuditReport> {
  // The model types a Num as number and an Interval as number[]; Wire reads them as sent.
  return (await call(App.Report, opts)) as unknown as AuditReport;
}

/** disagreements lists the units where judge and humans differ, most disagreeing votes first. */
export function disagreements(filter: DisagreementFilter): Promise<DisagreementUnit[]> {
  return call(App.Disagreements, filter);
}

/** unitDetail returns one unit's question, answers, votes and judge explanations. */
export function unitDetail(
  question: number,
  modelA: string,
  modelB: string,
  turn: number,
  judge: string,
): Promise<UnitDetail> {
  return call(App.UnitDetail, question, modelA, modelB, turn, judge);
}

/** exportReportHTML saves the standalone HTML report; "" when cancelled. */
export function exportReportHTML(opts: ReportOptions): Promise<string> {
  return call(App.ExportReportHTML, opts);
}

/** exportReportMarkdown saves the Markdown report; "" when cancelled. */
export function exportReportMarkdown(opts: ReportOptions): Promise<string> {
  return call(App.ExportReportMarkdown, opts);
}

/** annotateMore creates a study of a close call's units or of listed units, for more human votes. */
export async function annotateMore(req: AnnotateMoreRequest): Promise<StudySummary> {
  const s = await call(App.AnnotateMore, omitted<app.AnnotateMoreRequest>(req));
  return { ...s, progress: { done: 0, total: s.units, time_ms: 0, pace_ms: 0 }, activity: { votes: 0, annotators: 0 } };
}

// ---- judge: price table ----------------------------------------------------

import type { PriceRow, PriceTable } from '../judge/types';

/** judgePrices reads the price table the dry run's cost estimate uses. */
export function judgePrices(): Promise<PriceTable> {
  return call(App.JudgePrices);
}

/** saveJudgePrices replaces the price table (checked in Go: names once, prices ≥ 0) and returns it as saved. */
export function saveJudgePrices(rows: PriceRow[]): Promise<PriceTable> {
  return call(App.SaveJudgePrices, rows);
}

// ---- about -----------------------------------------------------------------

/** AboutInfo describes the build and the open database. */
export type AboutInfo = app.AboutInfo;

/** about returns the version, commit and build date, and which Concord versions created and last wrote the database. */
export function about(): Promise<AboutInfo> {
  return call(App.About);
}

// ---- latency trace (CONCORD_TRACE) ------------------------------------------

/** VoteTiming is one vote's keydown → next item painted, in ms, and its parts. */
export type VoteTiming = app.VoteTiming;

/** StartupTiming is when the home screen's counts were first on screen. */
export type StartupTiming = app.StartupTiming;

/** traceEnabled reports whether Go records a latency trace ($CONCORD_TRACE). */
export function traceEnabled(): Promise<boolean> {
  return call(App.TraceEnabled);
}

/** traceVote hands one vote's timing to Go, which appends it to the trace. */
export function traceVote(t: VoteTiming): Promise<void> {
  return call(App.TraceVote, t);
}

/** traceStartup tells Go the home screen's counts are on screen; Go works out the time since the process started. */
export function traceStartup(t: StartupTiming): Promise<void> {
  return call(App.TraceStartup, t);
}

// ---- judge experiments (app/probe.go) --------------------------------------

/** ProbeRequest is the judge's settings plus the probe's (kind, sample, seed, rewriter). */
export type ProbeRequest = app.ProbeRequest;

/** probe runs (or resumes) an experiment to its end and returns its result. */
export async function probe(req: ProbeRequest): Promise<Experiment> {
  // As auditReport: the model's numbers may be null (Wire).
  return (await call(App.Probe, req)) as unknown as Experiment;
}

/** experiments lists the scored experiments on a judge ("" for all). */
export async function experiments(judge: string): Promise<Experiment[]> {
  return (await call(App.Experiments, judge)) as unknown as Experiment[];
}

// ---- batch runs (app/judge_batch.go) ---------------------------------------

/** BatchOptions are a batch run's settings beyond its request: the discount off the live price (0 to 1) and the part limits (0: the API's). */
export type BatchOptions = app.BatchOptions;
/** BatchPlan is a batch dry run: the live plan plus the discount, the batch cost and the parts. */
export type BatchPlan = app.BatchPlan;
/** BatchStatus is one recorded batch with its failed lines. */
export type BatchStatus = app.BatchStatus;
/** BatchWatch is every recorded batch and whether the window is still collecting. */
export type BatchWatch = app.BatchWatch;

/** batchDryRun says what a batch run would upload and cost; it sends nothing. */
export function batchDryRun(req: JudgeRequest, opts: BatchOptions): Promise<BatchPlan> {
  return call(App.BatchDryRun, req, opts);
}

/** batchStart records, uploads and creates the run's batches; results are collected in the background. */
export function batchStart(req: JudgeRequest, opts: BatchOptions): Promise<BatchPlan> {
  return call(App.BatchStart, req, opts);
}

/** batchStatus lists the recorded batches. */
export function batchStatus(): Promise<BatchWatch> {
  return call(App.BatchStatus);
}

/** batchCancel cancels the provider's batches of the current run. */
export function batchCancel(): Promise<void> {
  return call(App.BatchCancel);
}
