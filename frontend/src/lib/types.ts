// Shapes of the values the Go backend sends: the models Wails generates from
// the bound methods' types (wailsjs/go/models.ts), named here for the screens,
// and the few the bindings do not describe (event payloads, the screen's
// vote vocabulary). Go sends every list as an array, never null.

import type { app, store } from '../../wailsjs/go/models';

/** A name with a count: questions per category, answers per model (store.NamedCount). */
export type NamedCount = store.NamedCount;
export type GroupCount = store.GroupCount;
export type JudgeCount = store.JudgeCount;
/** What is in the database, as returned by App.Info. */
export type Info = store.Info;
export type ImportFileReport = store.FileReport;
/** The outcome of one App.Import call (atomic: all files or none). */
export type ImportReport = store.ImportReport;

/** Payload of the import:progress event. */
export interface ImportProgress {
  file: string;
  kind: string;
  records: number;
  done_files: number;
  total_files: number;
}

// ---- annotate ----------------------------------------------------------------

/** What a study owner chooses (store.StudySpec). */
export type StudySpec = store.StudySpec;
/** An annotator's progress: pace_ms is the mean focused time per vote. */
export type StudyProgress = store.Progress;
/** A study with the local annotator's progress and everyone's votes (App.Studies). */
export type StudySummary = app.StudySummary;
/** One turn to vote, blind: no model names (App.NextItem). */
export type AnnotateItem = app.AnnotateItem;

/** An annotator's choice in screen terms: A is the left answer. (Judges give verdicts.) */
export type Choice = 'A' | 'B' | 'tie' | 'both_bad' | 'skip';

/** A vote as App.Vote takes it. */
export type VoteInput = app.VoteInput;
