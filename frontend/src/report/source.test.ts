import { describe, expect, it } from 'vitest';
import type { DisagreementFilter, DisagreementUnit } from '../lib/report-types';
import { embeddedSource, type ReportBundle } from './source';

const unit = (q: number, a: string, b: string, turn: number, over: Partial<DisagreementUnit> = {}): DisagreementUnit => ({
  question_id: q, question_key: String(q), category: 'math', model_a: a, model_b: b, turn, judge: 'j', judge_verdict: 'model_a',
  votes: 2, disagreeing: 1, human_a: 1, human_b: 1, human_tie: 0, len_a: 10, len_b: 100, length_decisive: true, ...over,
});

const units = [
  unit(1, 'x', 'y', 1),
  unit(1, 'x', 'y', 2, { category: 'math', judge_verdict: 'inconsistent' }),
  unit(2, 'x', 'z', 1, { category: 'coding', length_decisive: false }),
];
const bundle = {
  report: {} as ReportBundle['report'], judge: 'j', humans: 'all', turn: 0,
  disagreements: {
    total: 5, limit: 3, units,
    details: units.map((_, i) => ({ votes: [], judge: 'j', judge_verdict: i === 1 ? 'inconsistent' : 'model_a' })),
    questions: { '1': { category: 'math', turns: ['q1', 'q2'] }, '2': { category: 'coding', turns: ['p1'] } },
    answers: { '1/x': ['x1', 'x2'], '1/y': ['y1', 'y2'], '2/x': ['x only'] }, // no answer of z: Go leaves the key out
  },
} satisfies ReportBundle;

const none: DisagreementFilter = { judge: 'j', humans: 'all', turn: 0, category: '', model_a: '', model_b: '', inconsistent: false, length_decisive: false };

describe('embeddedSource', () => {
  const s = embeddedSource(bundle);
  it.each([
    ['no filter', {}, [0, 1, 2]],
    ['turn 1', { turn: 1 }, [0, 2]],
    ['category', { category: 'coding' }, [2]],
    ['pair in either order', { model_a: 'y', model_b: 'x' }, [0, 1]],
    ['inconsistent', { inconsistent: true }, [1]],
    ['length-decisive', { length_decisive: true }, [0, 1]],
  ])('list(%s)', async (_, f, want) => {
    expect(await s.list({ ...none, ...f })).toEqual(want.map((i) => units[i]));
  });
  it('says how many units the full list has', () => {
    expect(s.total).toBe(5);
  });
  it('builds a unit detail with the turns up to the unit', async () => {
    const d = await s.detail(units[0]);
    expect(d).toMatchObject({ prompts: ['q1'], answer_a: ['x1'], answer_b: ['y1'], judge_verdict: 'model_a', votes: [] });
    expect((await s.detail(units[1])).answer_b).toEqual(['y1', 'y2']);
    expect((await s.detail(units[2])).answer_b).toEqual([]);
  });
  it('rejects a unit the file does not hold', async () => {
    await expect(s.detail(unit(9, 'x', 'y', 1))).rejects.toThrow(/not in this file/);
  });
});
