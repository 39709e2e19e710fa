// The report's Scores section (audit.ScoresSection, schema 3): single-answer
// ratings as the MT-Bench score, with what it can and cannot tell apart.
import type { AuditReport, Estimate, Interval, Num, Rate } from './report-types';

export interface ScoreStat {
  n: number;
  mean: Num;
  ci: Interval;
}
export interface ScoreRow {
  rank: number;
  model: string;
  score: ScoreStat;
  by_turn: (ScoreStat & { turn: number })[];
  by_category: (ScoreStat & { category: string })[];
  separable_from_next: boolean | null;
}
export interface ScoreDiff {
  a: string;
  b: string;
  diff: Num;
  ci: Interval;
  separable: boolean;
}
export interface RatingAgreement {
  versus: string;
  turn: number;
  with_ties: Rate | null;
  without_ties: Rate | null;
}
export type ModeStatus = 'all agree' | 'modes disagree' | 'uncertain';
export interface ModeCloseCall {
  pair: [string, string];
  score_diff: Estimate | null;
  judge_verdicts: number;
  judge_win_rate: Estimate | null;
  votes: number;
  human_win_rate: Estimate | null;
  status: ModeStatus;
  votes_needed?: Num;
  further_votes?: number;
}
/** The style regression of a judge's ratings (audit.ScoreStyle). */
export interface ScoreStyle {
  rows: number;
  coefficients: (Estimate & { name: string })[];
  models: { model: string; raw: Num; raw_rank: number; adjusted: Estimate | null; adjusted_rank: number }[];
  order_changed: boolean;
  preference?: PreferenceStyle[];
}
/** Style in one source's pairwise preferences (audit.PreferenceStyle). */
export interface PreferenceStyle {
  source: string; // "human" or the judge's name
  comparisons: number;
  coefficients: (Estimate & { name: string })[];
  models: { model: string; raw: Num; raw_rank: number; controlled: Num; controlled_rank: number }[];
  order_changed: boolean;
}
export interface JudgeScores {
  judge: string;
  ratings: number;
  errors: number;
  categories: string[];
  leaderboard: ScoreRow[];
  separability: string[];
  differences: ScoreDiff[];
  histograms: { model: string; counts: number[] }[];
  agreement: RatingAgreement[];
  close_calls: ModeCloseCall[];
  style?: ScoreStyle | null;
}
export interface ScoresSection {
  scope: string;
  judges: JudgeScores[];
}

/** The report with its Scores section (null without ratings; absent before schema 3). */
export type ScoredReport = AuditReport & { scores?: ScoresSection | null };
