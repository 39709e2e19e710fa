// Shapes of the values the Go backend sends (JSON, snake_case). Keep these in
// step with the bound methods in app/.

/** A name with a count: questions per category, answers per model (store.NamedCount). */
export interface NamedCount {
  name: string;
  count: number;
}

export interface GroupCount {
  group: string;
  annotators: number;
  votes: number;
}

export interface JudgeCount {
  name: string;
  verdicts: number;
  /** Verdicts with both presentation orders. */
  both_orders?: number;
  errors?: number;
}

/** What is in the database, as returned by App.Info. */
export interface Info {
  db_path: string;
  questions: number;
  models: number;
  answers: number;
  human_votes: number;
  annotators: number;
  judge_verdicts: Record<string, number>;
  /** Judge prompts stored (FastChat judge_prompts.jsonl). */
  prompts?: number;
  categories: NamedCount[];
  model_list: NamedCount[];
  groups: GroupCount[];
  judges: JudgeCount[];
  demo: boolean;
  schema_version?: number;
}

export interface ImportFileReport {
  path: string;
  kind: string;
  records: number;
  added: number;
  unchanged: number;
  /** Records overwritten (import with replace). */
  replaced?: number;
}

/** The outcome of one App.Import call (atomic: all files or none). */
export interface ImportReport {
  files: ImportFileReport[];
  unrecognised: string[];
  added: number;
  unchanged: number;
  replaced?: number;
}

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
export interface StudySpec {
  name: string;
  instructions: string;
  models: string[];
  pairs: [string, string][] | null;
  categories: string[];
  turns: number[];
  sample: number;
  seed: number;
  show_reference: boolean;
}

/** An annotator's progress: PaceMS is the mean focused time per vote. */
export interface StudyProgress {
  done: number;
  total: number;
  time_ms: number;
  pace_ms: number;
}

/** A study with the local annotator's progress (App.Studies). */
export interface StudySummary {
  id: number;
  name: string;
  instructions: string;
  spec: StudySpec;
  seed: number;
  show_reference: boolean;
  created_at: string;
  items: number;
  units: number;
  /** The local annotator's progress. */
  progress: StudyProgress;
  /** Everyone's current votes in the study (skips excluded). */
  activity?: { votes: number; annotators: number };
}

/** One turn to vote, blind: no model names (App.NextItem). */
export interface AnnotateItem {
  study_id: number;
  study: string;
  instructions: string;
  done: boolean;
  pos: number;
  turn: number;
  turns: number[];
  category: string;
  questions: string[];
  left: string[];
  right: string[];
  reference: string[];
  progress: StudyProgress;
}

/** A verdict in screen terms: A is the left answer. */
export type Verdict = 'A' | 'B' | 'tie' | 'both_bad' | 'skip';

export interface VoteInput {
  study_id: number;
  pos: number;
  turn: number;
  choice: Verdict;
  time_ms: number;
  rationale: string;
}
