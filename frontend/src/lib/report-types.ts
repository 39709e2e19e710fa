// Shapes of the audit report (judge/audit/SCHEMA.md) and of the report
// screen's bound methods (app/report_screen.go). Numbers may be null when a
// statistic is undefined; the report's warnings say why.

export type Num = number | null;
export type Interval = [Num, Num] | null;

export interface Rate {
  agree: number;
  n: number;
  rate: Num;
  ci: Interval;
  small_sample?: boolean;
}
export interface Share {
  count: number;
  n: number;
  rate: Num;
  ci: Interval;
  small_sample?: boolean;
}
export interface Estimate {
  value: Num;
  ci: Interval;
}

export interface AgreementPart {
  category?: string;
  pair?: [string, string];
  with_ties: Rate | null;
  without_ties: Rate | null;
  kappa: Estimate | null;
  alpha?: Estimate | null;
  plurality?: { score: Num; n: number; rate: Num; ci: Interval; small_sample?: boolean } | null;
}
export interface Agreement extends AgreementPart {
  a: string;
  b: string;
  humans: string;
  turn: number | null;
  by_category?: AgreementPart[];
  by_pair?: AgreementPart[];
}

export interface Inconsistency {
  units: number;
  inconsistent: number;
  error: number;
  rate: Num;
  ci: Interval;
}
export interface PositionCounts {
  category?: string;
  pair?: [string, string];
  units: number;
  consistent: number;
  first: number;
  second: number;
  error: number;
  consistent_rate: Estimate | null;
  first_rate: Estimate | null;
  second_rate: Estimate | null;
  preference_fairness: Num;
  preference_fairness_ci: Interval;
  combined_only?: Inconsistency;
}
export interface JudgePosition extends PositionCounts {
  judge: string;
  by_category?: PositionCounts[];
  by_pair?: PositionCounts[];
}
export interface LeftBias {
  non_tie_votes: number;
  left_wins: number;
  rate: Num;
  ci: Interval;
  unknown_left: number;
}
export interface LengthBucket {
  log_ratio_min: Num;
  log_ratio_max: Num;
  judge_prefers_longer: Share | null;
  humans_prefer_longer: Share | null;
  excess: Estimate | null;
}
export interface LengthBias {
  judge: string;
  margin: number;
  judge_prefers_longer: Share | null;
  humans_prefer_longer: Share | null;
  excess: Estimate | null;
  curve: LengthBucket[] | null;
  regression: {
    rows: number;
    sd_dlen: Num;
    intercept: Num;
    length_coef: Estimate | null;
    plurality_coef: Estimate | null;
    interval_method: string;
  } | null;
  units_without_lengths: number;
}
export interface ModelStat {
  model: string;
  wins: number;
  losses: number;
  ties: number;
  win_rate: Estimate | null;
  rating: Estimate | null;
  rank: number;
}
export interface CloseCall {
  judge?: string;
  pair: [string, string];
  reasons: string[];
  votes: number;
  human_win_rate: Estimate | null;
  judge_verdicts: number;
  judge_win_rate: Estimate | null;
  judge_consistency: Share | null;
  votes_needed: Num;
  further_votes: number | null;
}
export interface AnnotatorStat {
  name: string;
  group: string;
  votes: number;
  median_time_ms: Num;
  agreement: Rate | null;
  agreement_without_ties: Rate | null;
  left: LeftBias | null;
}
export interface AuditReport {
  schema_version: number;
  humans: string;
  judges: string[];
  turn: number | null;
  bootstrap: number;
  seed: number;
  confidence: number;
  totals: {
    questions: number;
    units: number;
    votes: number;
    annotators: number;
    verdicts: Record<string, number>;
    judge_errors: Record<string, number>;
    excluded_human_votes: number;
  };
  agreement: Agreement[] | null;
  position_bias: { judges: JudgePosition[] | null; humans: LeftBias | null };
  length_bias: LengthBias[] | null;
  models: {
    names: string[] | null;
    sources: { source: string; models: ModelStat[] }[] | null;
    kendall_tau_b: { judge: string; tau: Estimate | null }[] | null;
    self_preference: unknown[] | null;
  };
  close_calls: CloseCall[] | null;
  annotators: AnnotatorStat[] | null;
  warnings: Warning[] | null;
  annotator_audit?: AnnotatorAudit | null;
}

/** An engine warning and the section of the report whose figures it qualifies (schema 2). */
export interface Warning {
  section: string;
  message: string;
}

/** What a report covers (app.ReportOptions). */
export interface ReportOptions {
  judge: string;
  humans: string;
  turn: number;
  bootstrap: number;
  seed: number;
}

/** Filter of the disagreement browser (app.DisagreementFilter). */
export interface DisagreementFilter {
  judge: string;
  humans: string;
  turn: number;
  category: string;
  model_a: string;
  model_b: string;
  inconsistent: boolean;
  length_decisive: boolean;
}

export interface DisagreementUnit {
  question_id: number;
  /** The question's id as its file spelled it ("81", "writing_1"); older reports lack it. */
  question_key?: string;
  category: string;
  model_a: string;
  model_b: string;
  turn: number;
  judge: string;
  judge_verdict: string;
  g1?: string;
  g2?: string;
  votes: number;
  disagreeing: number;
  human_a: number;
  human_b: number;
  human_tie: number;
  len_a: number;
  len_b: number;
  length_decisive: boolean;
}

export interface UnitVote {
  annotator: string;
  group: string;
  verdict: string;
  left?: string;
  time_ms?: number;
  rationale?: string;
  created_at: string;
}
export interface UnitGame {
  winner: string;
  explanation: string;
  error?: string;
}
/** A judge's single-answer rating of one answer of a unit (app.UnitRating). */
export interface UnitRating {
  score?: number | null; // absent or null for an error
  error?: string;
  explanation: string;
  prompt: string;
}
export interface UnitDetail {
  question_id: number;
  question_key?: string;
  category: string;
  turn: number;
  prompts: string[];
  reference?: string[];
  model_a: string;
  model_b: string;
  answer_a: string[] | null;
  answer_b: string[] | null;
  votes: UnitVote[];
  judge?: string;
  judge_verdict?: string;
  g1?: UnitGame | null;
  g2?: UnitGame | null;
  rating_a?: UnitRating | null; // the judge's single-answer ratings of the two answers, if any
  rating_b?: UnitRating | null;
}

/** One unit a study asks votes on (store.StudyUnit). */
export interface StudyUnit {
  question_id: number;
  model_a: string;
  model_b: string;
  turn: number;
}

/** A study of more human votes from the report (app.AnnotateMoreRequest):
 * a close call's pair in the report's scope, or explicit units. */
export interface AnnotateMoreRequest {
  name?: string;
  label?: string;
  judge?: string;
  humans?: string;
  turn?: number;
  pair?: [string, string];
  units?: StudyUnit[];
}

/** Judge vs judge on the units both judged (audit.Comparison, report --compare). */
export interface ComparedJudge {
  judge: string;
  with_ties: Rate;
  without_ties: Rate;
  consistency: Share;
  /** cost and latency per verdict (both games) on the units both judged (audit.Spend) */
  spend?: Spend;
}
/** What one judge's verdicts cost, per verdict (audit.Spend). */
export interface Spend {
  model: string;
  verdicts: number;
  tokens_in: Num;
  tokens_out: Num;
  /** US dollars per verdict, null when the price table has no row for the model */
  usd: number | null;
  latency_ms: Num;
}
export interface JudgeComparison {
  judges: [string, string];
  units: number;
  human_units: number;
  questions: number;
  errors: number;
  sides: ComparedJudge[];
  difference_with_ties: Estimate;
  difference_without_ties: Estimate;
  mcnemar: { only_first_agrees: number; only_second_agrees: number; p: Num };
}

/** A judge's verdicts against the human votes (audit.ConfusionMatrix). */
export interface ConfusionMatrix {
  judge: string;
  rows: string[];
  cols: string[];
  counts: number[][];
  n: number;
  recall: Num[];
  precision: Num[];
  accuracy: Num;
}

/** An estimate with its standard error and normal interval (audit.PPIInterval). */
export interface PPIInterval {
  value: Num;
  se: Num;
  ci: Interval | null;
}
/** The humans' win rate of model_a over model_b with a judge's help (audit.PPIPair). */
export interface PPIPair {
  judge: string;
  model_a: string;
  model_b: string;
  units: number;
  votes: number;
  questions: number;
  lambda: Num;
  ppi: PPIInterval;
  human_only: PPIInterval;
  judge_only: PPIInterval;
  effective_votes: Num;
}

// The sections added after schema version 2 (declaration merging keeps them here).
export interface AuditReport {
  comparison?: JudgeComparison | null;
  confusion?: ConfusionMatrix[];
  ppi?: PPIPair[];
}
export interface ReportOptions {
  /** "A,B" or a second judge to compare with the report's judge; "" for none. */
  compare?: string;
}

/** A judge experiment's result (audit.Experiment, concord probe). */
export interface Experiment {
  id: number;
  kind: string;
  judge: string;
  probe_judge: string;
  settings: string;
  items: number;
  judged: number;
  errors: number;
  pending: number;
  failures?: Share;
  inconsistent?: number;
  self_agreement?: Share;
  flips?: Share;
  /** reference probe: failures of the run with the reference-guided prompt and of the plain one, on the same items */
  failures_with_reference?: Share;
  failures_without_reference?: Share;
  /** reference probe: the two runs ("with reference", "without reference") against the human votes */
  human_agreement?: JudgeComparison | null;
  /** label control (kind "position"): decisive games won by the answer shown first, with A/B and with neutral names */
  first_with_letters?: Share;
  first_with_names?: Share;
  /** the difference: the preference for the label A itself */
  label_preference?: Estimate;
}
export interface AuditReport {
  experiments?: Experiment[];
}

/** A score against the plurality of others (audit.Score). */
export interface Score {
  score: Num;
  n: number;
  rate: Num;
  ci: Interval;
  small_sample?: boolean;
}

/** One annotator's figures in the annotator audit (audit.AnnotatorFigures). */
export interface AnnotatorFigures {
  name: string;
  votes: number;
  median_time_ms: Num;
  agreement: Score | null;
  agreement_without_ties: Score | null;
  gold_accuracy: Share | null;
  left_rate: Share | null;
  flags: string[] | null;
}

/** The report's annotator audit (audit.AnnotatorAuditSection; SCHEMA.md `annotator_audit`). */
export interface AnnotatorAudit {
  annotators: AnnotatorFigures[] | null;
  kappa: { annotators: string[] | null; shared: number[][] | null; kappa: Num[][] | null; min_shared: number } | null;
  gold_items: number;
  flagged: { name: string; reasons: string[] }[] | null;
  excluded: { study: string; annotator: string; votes: number }[] | null;
}
