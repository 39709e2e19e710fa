import { describe, expect, it } from 'vitest';
import { adopt, itemSources, keyOf, toItem, type Item } from './item';

function wire(pos: number, turn: number, extra: Record<string, unknown> = {}) {
  return {
    study_id: 1, study: 's', instructions: '', done: false, pos, turn, turns: [1, 2], category: 'math', question_key: '81',
    questions: ['q1'], left: [`L${pos}.${turn}`], right: [`R${pos}.${turn}`], reference: [] as string[], revisit: false, skipped_left: 0,
    progress: { done: 0, total: 4, time_ms: 0, pace_ms: 0 }, ...extra,
  };
}

describe('toItem', () => {
  it('nests the upcoming item', () => {
    const i = toItem({ ...wire(3, 1), upcoming: wire(3, 2) });
    expect(i.upcoming && keyOf(i.upcoming)).toBe('1:3:2');
    expect(i.upcoming?.upcoming).toBeNull();
  });
  it('drops a finished upcoming item', () => {
    expect(toItem({ ...wire(3, 1), upcoming: { ...wire(0, 0), done: true } }).upcoming).toBeNull();
  });
});

describe('adopt', () => {
  const ahead = toItem(wire(5, 2));
  const next = toItem({ ...wire(5, 2), progress: { done: 1, total: 4, time_ms: 900, pace_ms: 900 }, upcoming: wire(7, 1) });
  it('keeps the laid-out text when the same turn comes back', () => {
    const got = adopt(ahead, next);
    expect(got.left).toBe(ahead.left); // same array: nothing to render again
    expect(got.progress.done).toBe(1);
    expect(got.upcoming && keyOf(got.upcoming)).toBe('1:7:1');
  });
  it('takes the returned item when another turn came back', () => {
    const other = toItem(wire(6, 1));
    expect(adopt(ahead, other)).toBe(other);
    expect(adopt(null, next)).toBe(next);
    const done: Item = { ...next, done: true };
    expect(adopt(ahead, done)).toBe(done);
  });
});

describe('itemSources', () => {
  it.each([
    ['turn 1, no reference', wire(2, 1), ['q1', 'L2.1', 'R2.1']],
    [
      'turn 2 with a reference: both questions, the reference, both turns of each side',
      wire(2, 2, { questions: ['q1', 'q2'], reference: ['r1', 'r2'], left: ['La', 'Lb'], right: ['Ra', 'Rb'] }),
      ['q1', 'q2', 'r2', 'La', 'Lb', 'Ra', 'Rb'],
    ],
    ['a one-turn reference on turn 2', wire(2, 2, { questions: ['q1', 'q2'], reference: ['r1'], left: ['La', 'Lb'], right: ['Ra'] }), ['q1', 'q2', 'r1', 'La', 'Lb', 'Ra']],
  ])('%s', (_name, w, want) => {
    expect(itemSources(toItem(w))).toEqual(want);
  });
});
