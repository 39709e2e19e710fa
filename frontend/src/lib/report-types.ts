// Shapes of the audit report (judge/audit/SCHEMA.md) and of the report
// screen's bound methods (app/report_screen.go): the models Wails generates
// (wailsjs/go/models.ts), named here for the report's components, read through
// Wire (below) where the generator cannot see the JSON Go writes. Go sends
// every list as an array, never null (app/bound_test.go checks); a list is
// absent only when its Go field says omitempty (by_category, reference).

import type { app, audit, store } from '../../wailsjs/go/models';

/**
 * Num is audit.Num: a statistic, null when it is undefined (NaN or infinite;
 * the report's warnings say why). Its MarshalJSON writes null, which the
 * generator, seeing a float64, cannot know: it says number.
 */
export type Num = number | null;

/** Interval is a *audit.Interval: [low, high] of two Nums, or null; the generator says number[]. */
export type Interval = [Num, Num] | null;

/**
 * The JSON names of the fields Go declares as audit.Num, []Num or [][]Num
 * (judge/audit: report.go, annotators.go, compare.go, confusion.go, ppi.go,
 * scores.go, style.go, style_preference.go). A field of one of these names
 * that holds numbers is read as Num; a new Num field needs its name here
 * (app/report_types_test.go checks).
 */
type NumField =
  | 'accuracy'
  | 'controlled'
  | 'diff'
  | 'effective_votes'
  | 'human_win_rate'
  | 'intercept'
  | 'judge_win_rate'
  | 'kappa'
  | 'lambda'
  | 'latency_ms'
  | 'log_ratio_max'
  | 'log_ratio_min'
  | 'mean'
  | 'median_time_ms'
  | 'p'
  | 'precision'
  | 'preference_fairness'
  | 'rate'
  | 'raw'
  | 'recall'
  | 'score'
  | 'sd_dlen'
  | 'se'
  | 'tokens_in'
  | 'tokens_out'
  | 'value'
  | 'votes_needed';

/** The JSON names of the fields Go declares as *audit.Interval. */
type IntervalField = 'ci' | 'preference_fairness_ci';

type WireNum<V> = V extends number ? Num : V extends number[] ? Num[] : V extends number[][] ? Num[][] : Wire<V>;
type WireField<K, V> = K extends IntervalField ? Interval : K extends NumField ? WireNum<V> : Wire<V>;

/**
 * Wire<T> is a generated model as its JSON arrives. The generator writes a Go
 * pointer as an optional field, but Go sends a nil pointer as null (a turn of
 * "both turns", a missing estimate, a rating's error): optional fields other
 * than strings (which are omitempty, never pointers) may be null too. And it
 * types Num and Interval by their Go kinds: fields named in NumField and
 * IntervalField get Num and Interval.
 */
export type Wire<T> = T extends (infer U)[]
  ? Wire<U>[]
  : T extends object
    ? { [K in keyof T]: WireField<K, T[K]> | (undefined extends T[K] ? (T[K] extends string | undefined ? never : null) : never) }
    : T;

export type Rate = Wire<audit.Rate>;
export type Share = Wire<audit.Share>;
export type Estimate = Wire<audit.Estimate>;
/** A score against the plurality of others (audit.Score). */
export type Score = Wire<audit.Score>;
export type AgreementPart = Wire<audit.AgreementPart>;
export type Agreement = Wire<audit.Agreement>;
export type Inconsistency = Wire<audit.Inconsistency>;
export type PositionCounts = Wire<audit.PositionCounts>;
export type JudgePosition = Wire<audit.JudgePosition>;
export type LeftBias = Wire<audit.LeftBias>;
export type LengthBucket = Wire<audit.LengthBucket>;
export type LengthBias = Wire<audit.LengthBias>;
export type ModelStat = Wire<audit.ModelStat>;
export type CloseCall = Wire<audit.CloseCall>;
export type AnnotatorStat = Wire<audit.Annotator>;
/** The full audit (audit.Report, SCHEMA.md). */
export type AuditReport = Wire<audit.Report>;

/** An engine warning and the section of the report whose figures it qualifies (schema 2). */
export type Warning = audit.Warning;

/** What a report covers (app.ReportOptions); compare is "A,B" or a second judge, "" for none. */
export type ReportOptions = app.ReportOptions;

/** Filter of the disagreement browser (app.DisagreementFilter). */
export type DisagreementFilter = app.DisagreementFilter;

/** A unit where judge and humans differ (app.DisagreementUnit); question_key is its id as its file spelled it. */
export type DisagreementUnit = app.DisagreementUnit;

/** A human's vote on a unit (app.UnitVote); created_at is an RFC 3339 time (time.Time, any in the model). */
export type UnitVote = Omit<app.UnitVote, 'created_at'> & { created_at: string };
export type UnitGame = app.UnitGame;
/** A judge's single-answer rating of one answer of a unit (app.UnitRating); score is absent or null for an error. */
export type UnitRating = Wire<app.UnitRating>;
/** One unit's question, answers, votes and judge explanations (app.UnitDetail); ratings are null without one. */
export type UnitDetail = Omit<Wire<app.UnitDetail>, 'votes'> & { votes: UnitVote[] };

/** One unit a study asks votes on (store.StudyUnit). */
export type StudyUnit = store.StudyUnit;

/** A study of more human votes from the report (app.AnnotateMoreRequest): a close call's pair in the report's scope, or explicit units; absent fields are Go's zero values. */
export type AnnotateMoreRequest = Partial<app.AnnotateMoreRequest>;

/** What one judge's verdicts cost, per verdict (audit.Spend); usd is null when the price table has no row for the model. */
export type Spend = Wire<audit.Spend>;
export type ComparedJudge = Wire<audit.ComparedJudge>;
/** Judge vs judge on the units both judged (audit.Comparison, report --compare). */
export type JudgeComparison = Wire<audit.Comparison>;

/** A judge's verdicts against the human votes (audit.ConfusionMatrix). */
export type ConfusionMatrix = Wire<audit.ConfusionMatrix>;

/** An estimate with its standard error and normal interval (audit.PPIInterval). */
export type PPIInterval = Wire<audit.PPIInterval>;
/** The humans' win rate of model_a over model_b with a judge's help (audit.PPIPair). */
export type PPIPair = Wire<audit.PPIPair>;

/** A judge experiment's result (audit.Experiment, concord probe). */
export type Experiment = Wire<audit.Experiment>;

/** One annotator's figures in the annotator audit (audit.AnnotatorFigures). */
export type AnnotatorFigures = Wire<audit.AnnotatorFigures>;
/** The report's annotator audit (audit.AnnotatorAuditSection; SCHEMA.md `annotator_audit`). */
export type AnnotatorAudit = Wire<audit.AnnotatorAuditSection>;

// The Scores section (audit.ScoresSection, schema 3): single-answer ratings
// as the MT-Bench score, with what it can and cannot tell apart; null
// without ratings.
export type ScoresSection = Wire<audit.ScoresSection>;
export type JudgeScores = Wire<audit.JudgeScores>;
export type ScoreStat = Wire<audit.ScoreStat>;
export type ScoreRow = Wire<audit.ScoreRow>;
export type ScoreDiff = Wire<audit.ScoreDiff>;
export type RatingAgreement = Wire<audit.RatingAgreement>;
export type ModeCloseCall = Wire<audit.ModeCloseCall>;
/** The style regression of a judge's ratings (audit.ScoreStyle). */
export type ScoreStyle = Wire<audit.ScoreStyle>;
/** A style coefficient with its interval (audit.StyleCoef). */
export type StyleCoef = Wire<audit.StyleCoef>;
/** Style in one source's pairwise preferences (audit.PreferenceStyle); source is "human" or the judge's name. */
export type PreferenceStyle = Wire<audit.PreferenceStyle>;
