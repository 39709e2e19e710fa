// Where the disagreement browser gets its units and their details: the Go
// bindings on the report screen, the embedded JSON in an exported report.
import type { AuditReport, DisagreementFilter, DisagreementUnit, UnitDetail, UnitGame, UnitRating, UnitVote } from '../lib/report-types';

/** DisagreementSource lists the units a filter selects and opens one of them. */
export interface DisagreementSource {
  list(filter: DisagreementFilter): Promise<DisagreementUnit[]>;
  detail(unit: DisagreementUnit): Promise<UnitDetail>;
  /** total is how many units the full list has, when this source holds only its first part. */
  readonly total?: number;
}

/**
 * ReportBundle is the JSON an exported report embeds (app/report_export.go):
 * the report, its scope, and at most `limit` disagreement units with their
 * details; questions and answers are stored once, by question id and by
 * "<question id>/<model>".
 */
export interface ReportBundle {
  report: AuditReport;
  judge: string;
  humans: string;
  turn: number;
  disagreements: {
    total: number;
    limit: number;
    units: DisagreementUnit[];
    details: {
      votes: UnitVote[];
      judge?: string;
      judge_verdict?: string;
      g1?: UnitGame;
      g2?: UnitGame;
      rating_a?: UnitRating;
      rating_b?: UnitRating;
    }[];
    questions: Record<string, { category: string; turns: string[]; reference?: string[] }>;
    answers: Record<string, string[]>;
  };
}

/** matches applies the browser's filter as app/report_screen.go's disagreements does. */
export function matches(u: DisagreementUnit, f: DisagreementFilter): boolean {
  const [a, b] = (f.model_a ?? '') > (f.model_b ?? '') ? [f.model_b, f.model_a] : [f.model_a, f.model_b];
  return (
    (!f.turn || u.turn === f.turn) &&
    (!f.category || u.category === f.category) &&
    ((!a && !b) || (u.model_a === a && u.model_b === b)) &&
    (!f.inconsistent || u.judge_verdict === 'inconsistent') &&
    (!f.length_decisive || u.length_decisive)
  );
}

function key(u: DisagreementUnit): string {
  return `${u.question_id}/${u.model_a}/${u.model_b}/${u.turn}`;
}

/** embeddedSource serves the disagreement browser from an exported report's data. */
export function embeddedSource(b: ReportBundle): DisagreementSource {
  const d = b.disagreements;
  const index = new Map(d.units.map((u, i) => [key(u), i]));
  // A question or answer the file does not hold (a unit beyond its limit) reads as empty.
  const upTo = (xs: string[] | undefined, n: number) => (xs ?? []).slice(0, n);
  return {
    total: d.total,
    list: async (f) => d.units.filter((u) => matches(u, f)),
    detail: async (u) => {
      const i = index.get(key(u));
      if (i === undefined) throw new Error(`unit Q${u.question_id} ${u.model_a} vs ${u.model_b} turn ${u.turn} is not in this file`);
      const x = d.details[i];
      const q = d.questions[String(u.question_id)];
      return {
        question_id: u.question_id,
        question_key: u.question_key,
        category: q?.category ?? u.category,
        turn: u.turn,
        prompts: upTo(q?.turns, u.turn),
        reference: q?.reference ? upTo(q.reference, u.turn) : undefined,
        model_a: u.model_a,
        model_b: u.model_b,
        answer_a: upTo(d.answers[`${u.question_id}/${u.model_a}`], u.turn),
        answer_b: upTo(d.answers[`${u.question_id}/${u.model_b}`], u.turn),
        votes: x.votes,
        judge: x.judge,
        judge_verdict: x.judge_verdict,
        g1: x.g1,
        g2: x.g2,
        rating_a: x.rating_a,
        rating_b: x.rating_b,
      };
    },
  };
}
