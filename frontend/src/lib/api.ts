// The one module that calls the Go bindings. Wails v2 exposes every bound
// method of app.App at window.go.app.App.<Method>(...args), returning a
// Promise that rejects with the Go error's message. Screens import the typed
// functions below and never touch window.go themselves.
//
// Feature screens add their wrappers here, one section per feature.

import type { ImportReport, Info, NamedCount } from './types';

type Method = (...args: never[]) => Promise<unknown>;

interface WailsRuntime {
  EventsOn(name: string, cb: (...data: unknown[]) => void): () => void;
  BrowserOpenURL?(url: string): void;
}

declare global {
  interface Window {
    go?: { app?: { App?: Record<string, Method | undefined> } };
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

export async function call<T>(method: string, ...args: unknown[]): Promise<T> {
  const fn = window.go?.app?.App?.[method] as ((...a: unknown[]) => Promise<T>) | undefined;
  if (typeof fn !== 'function') {
    throw new BackendError(method, `the backend method ${method} is not available (is Concord running?)`);
  }
  try {
    return await fn(...args);
  } catch (e) {
    throw new BackendError(method, messageOf(e));
  }
}

/** backendAvailable reports whether the Go bindings are present. */
export function backendAvailable(): boolean {
  return typeof window.go?.app?.App?.Info === 'function';
}

// ---- home and import -------------------------------------------------------

// Counts arrive as {name, count}; {name, questions} / {name, answers} are accepted too.
function named(list: unknown): NamedCount[] {
  if (!Array.isArray(list)) return [];
  return list.map((x: { name: string; count?: number; questions?: number; answers?: number }) => ({
    name: x.name,
    count: x.count ?? x.questions ?? x.answers ?? 0,
  }));
}

/** info returns the database's counts; absent lists become empty ones. */
export async function info(): Promise<Info> {
  const i = await call<Info>('Info');
  return {
    ...i,
    judge_verdicts: i.judge_verdicts ?? {},
    categories: named(i.categories),
    model_list: named(i.model_list),
    groups: i.groups ?? [],
    judges: i.judges ?? [],
  };
}

/** pickImportFiles opens the native file picker; [] when cancelled. */
export async function pickImportFiles(): Promise<string[]> {
  return (await call<string[] | null>('PickImportFiles')) ?? [];
}

/** pickImportFolder opens the native folder picker; "" when cancelled. */
export async function pickImportFolder(): Promise<string> {
  return (await call<string | null>('PickImportFolder')) ?? '';
}

/** importPaths imports files and folders in one atomic step. */
export async function importPaths(paths: string[]): Promise<ImportReport> {
  const r = await call<ImportReport>('Import', paths);
  return { ...r, files: r.files ?? [], unrecognised: r.unrecognised ?? [] };
}

// ---- runtime ---------------------------------------------------------------

/** openExternal opens an http(s) or mailto link in the system browser. */
export function openExternal(url: string): void {
  if (!/^(https?:|mailto:)/i.test(url)) return;
  if (window.runtime?.BrowserOpenURL) window.runtime.BrowserOpenURL(url);
  else window.open(url, '_blank', 'noopener,noreferrer');
}

// ---- judge -----------------------------------------------------------------

import type { JudgePlan, JudgeRequest, JudgeStatus, Verdict, VerdictDetail } from '../judge/types';

/** judgeDryRun says what a run would send and roughly cost; it sends nothing. */
export async function judgeDryRun(req: JudgeRequest): Promise<JudgePlan> {
  const p = await call<JudgePlan>('JudgeDryRun', req);
  return { ...p, skipped: p.skipped ?? {} };
}

/** judgeStart starts a run in the background and returns its id (progress arrives as events). */
export function judgeStart(req: JudgeRequest): Promise<number> {
  return call<number>('JudgeStart', req);
}

/** judgeCancel stops the running run, keeping every finished game. */
export function judgeCancel(): Promise<void> {
  return call<void>('JudgeCancel');
}

/** judgeStatus reports the current or last run of this window. */
export function judgeStatus(): Promise<JudgeStatus> {
  return call<JudgeStatus>('JudgeStatus');
}

/** setAPIKey saves the key in the user's config folder (an empty key removes it); it is never read back. */
export function setAPIKey(key: string): Promise<void> {
  return call<void>('SetAPIKey', key);
}

/** apiKeySource says where a run would take its key from: "env VAR", "key file" or "none". */
export function apiKeySource(envVar: string): Promise<string> {
  return call<string>('APIKeySource', envVar);
}

/** judgePrompts lists the prompt sets ("concord", "fastchat") and single prompts by name. */
export async function judgePrompts(): Promise<string[]> {
  return (await call<string[] | null>('JudgePrompts')) ?? [];
}

/** judgeVerdicts lists a judge's verdicts; questionId 0 means every question. */
export async function judgeVerdicts(judge: string, questionId = 0): Promise<Verdict[]> {
  return (await call<Verdict[] | null>('JudgeVerdicts', judge, questionId)) ?? [];
}

/** judgeVerdict returns one verdict with its question and both answers. */
export async function judgeVerdict(judge: string, id: number): Promise<VerdictDetail> {
  const d = await call<VerdictDetail>('JudgeVerdict', judge, id);
  return { ...d, answer1: d.answer1 ?? [], answer2: d.answer2 ?? [] };
}

// ---- annotate --------------------------------------------------------------

import type { AnnotateItem, StudySpec, StudySummary, VoteInput } from './types';

function normItem(i: AnnotateItem): AnnotateItem {
  return { ...i, turns: i.turns ?? [], questions: i.questions ?? [], left: i.left ?? [], right: i.right ?? [], reference: i.reference ?? [] };
}

/** createStudy draws a study's items from the imported data. */
export async function createStudy(spec: StudySpec): Promise<StudySummary> {
  const s = await call<StudySummary>('CreateStudy', spec);
  return { ...s, progress: { done: 0, total: s.units, time_ms: 0, pace_ms: 0 } };
}

/** studies lists the studies with the local annotator's progress. */
export async function studies(): Promise<StudySummary[]> {
  return (await call<StudySummary[] | null>('Studies')) ?? [];
}

/** annotator returns who votes on this machine ("" until set). */
export async function annotator(): Promise<string> {
  return (await call<string | null>('Annotator')) ?? '';
}

/** setAnnotator remembers who votes on this machine. */
export async function setAnnotator(name: string): Promise<void> {
  await call<void>('SetAnnotator', name);
}

/** nextItem returns the next turn to vote (done: true when none is left). */
export async function nextItem(studyID: number): Promise<AnnotateItem> {
  return normItem(await call<AnnotateItem>('NextItem', studyID));
}

/** vote resolves only after the vote is committed, with the next item. */
export async function vote(v: VoteInput): Promise<AnnotateItem> {
  return normItem(await call<AnnotateItem>('Vote', v));
}

/** undo withdraws the last vote in the study and returns that item again. */
export async function undoVote(studyID: number): Promise<AnnotateItem> {
  return normItem(await call<AnnotateItem>('Undo', studyID));
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
  return call<AuditReport>('Report', opts);
}

/** disagreements lists the units where judge and humans differ, most disagreeing votes first. */
export async function disagreements(filter: DisagreementFilter): Promise<DisagreementUnit[]> {
  return (await call<DisagreementUnit[] | null>('Disagreements', filter)) ?? [];
}

/** unitDetail returns one unit's question, answers, votes and judge explanations. */
export async function unitDetail(
  question: number,
  modelA: string,
  modelB: string,
  turn: number,
  judge: string,
): Promise<UnitDetail> {
  const d = await call<UnitDetail>('UnitDetail', question, modelA, modelB, turn, judge);
  return { ...d, votes: d.votes ?? [], prompts: d.prompts ?? [], answer_a: d.answer_a ?? [], answer_b: d.answer_b ?? [] };
}

/** exportReportHTML saves the standalone HTML report; "" when cancelled. */
export async function exportReportHTML(opts: ReportOptions): Promise<string> {
  return (await call<string | null>('ExportReportHTML', opts)) ?? '';
}

/** exportReportMarkdown saves the Markdown report; "" when cancelled. */
export async function exportReportMarkdown(opts: ReportOptions): Promise<string> {
  return (await call<string | null>('ExportReportMarkdown', opts)) ?? '';
}

/** annotateMore creates a study of a close call's units or of listed units, for more human votes. */
export async function annotateMore(req: AnnotateMoreRequest): Promise<StudySummary> {
  const s = await call<StudySummary>('AnnotateMore', req);
  return { ...s, progress: { done: 0, total: s.units, time_ms: 0, pace_ms: 0 } };
}

// ---- judge: price table ----------------------------------------------------

import type { PriceRow, PriceTable } from '../judge/types';

/** judgePrices reads the price table the dry run's cost estimate uses. */
export async function judgePrices(): Promise<PriceTable> {
  const t = await call<PriceTable>('JudgePrices');
  return { ...t, rows: t.rows ?? [] };
}

/** saveJudgePrices replaces the price table (checked in Go: names once, prices ≥ 0) and returns it as saved. */
export async function saveJudgePrices(rows: PriceRow[]): Promise<PriceTable> {
  const t = await call<PriceTable>('SaveJudgePrices', rows);
  return { ...t, rows: t.rows ?? [] };
}

// ---- about -----------------------------------------------------------------

/** AboutInfo describes the build and the open database (Go: app.AboutInfo). */
export interface AboutInfo {
  version: string;
  commit: string;
  build_date: string;
  go_version: string;
  schema_version: number;
  db_path?: string;
  db_created_by?: string;
  db_written_by?: string;
}

/** about returns the version, commit and build date, and which Concord versions created and last wrote the database. */
export async function about(): Promise<AboutInfo> {
  return call<AboutInfo>('About');
}

// ---- latency trace (CONCORD_TRACE) ------------------------------------------

/** VoteTiming is one vote's keydown → next item painted, in ms, and its parts (Go: app.VoteTiming). */
export interface VoteTiming {
  total_ms: number;
  queue_ms: number;
  call_ms: number;
  dom_ms: number;
  paint_ms: number;
}

/** StartupTiming is when the home screen's counts were first on screen (Go: app.StartupTiming). */
export interface StartupTiming {
  shown_at_ms: number;
  page_ms: number;
}

/** traceEnabled reports whether Go records a latency trace ($CONCORD_TRACE). */
export function traceEnabled(): Promise<boolean> {
  return call<boolean>('TraceEnabled');
}

/** traceVote hands one vote's timing to Go, which appends it to the trace. */
export function traceVote(t: VoteTiming): Promise<void> {
  return call<void>('TraceVote', t);
}

/** traceStartup tells Go the home screen's counts are on screen; Go works out the time since the process started. */
export function traceStartup(t: StartupTiming): Promise<void> {
  return call<void>('TraceStartup', t);
}
