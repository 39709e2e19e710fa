import { describe, expect, it } from 'vitest';
import { actionFor, keyLabel, SHORTCUTS, VOTES } from './keys';

describe('actionFor', () => {
  const cases: [string, Parameters<typeof actionFor>, ReturnType<typeof actionFor>][] = [
    ['1 votes A', [{ key: '1' }], { kind: 'vote', choice: 'A' }],
    ['← votes A', [{ key: 'ArrowLeft' }], { kind: 'vote', choice: 'A' }],
    ['2 votes B', [{ key: '2' }], { kind: 'vote', choice: 'B' }],
    ['→ votes B', [{ key: 'ArrowRight' }], { kind: 'vote', choice: 'B' }],
    ['3 is a tie', [{ key: '3' }], { kind: 'vote', choice: 'tie' }],
    ['↓ is a tie', [{ key: 'ArrowDown' }], { kind: 'vote', choice: 'tie' }],
    ['4 is both bad', [{ key: '4' }], { kind: 'vote', choice: 'both_bad' }],
    ['s skips', [{ key: 's' }], { kind: 'skip' }],
    ['S skips', [{ key: 'S' }], { kind: 'skip' }],
    ['Cmd+Z undoes', [{ key: 'Z', metaKey: true }], { kind: 'undo' }],
    ['n outside a field writes a rationale', [{ key: 'n' }], { kind: 'rationale' }],
    ['Ctrl+Z undoes', [{ key: 'z', ctrlKey: true }], { kind: 'undo' }],
    ['Backspace undoes', [{ key: 'Backspace' }], { kind: 'undo' }],
    ['? opens the sheet', [{ key: '?' }], { kind: 'help' }],
    ['Ctrl+1 is not a vote', [{ key: '1', ctrlKey: true }], null],
    ['Alt+2 is not a vote', [{ key: '2', altKey: true }], null],
    ['other keys do nothing', [{ key: 'x' }], null],
    ['an empty rationale lets 1 through', [{ key: '1' }, true, true], { kind: 'vote', choice: 'A' }],
    ['a written rationale keeps 1', [{ key: '1' }, true, false], null],
    ['a written rationale keeps Backspace', [{ key: 'Backspace' }, true, false], null],
    ['a written rationale keeps Ctrl+Z', [{ key: 'z', ctrlKey: true }, true, false], null],
    ['n in a field is typed', [{ key: 'n' }, true, true], null],
  ];
  for (const [name, args, want] of cases) {
    it(name, () => expect(actionFor(...args)).toEqual(want));
  }
});

describe('the key table', () => {
  it('gives every key one action', () => {
    const keys = SHORTCUTS.flatMap((s) => s.keys);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it.each(SHORTCUTS.flatMap((s) => s.keys.filter((k) => k !== 'Ctrl+Z').map((k) => [k, s.action] as const)))(
    'actionFor(%j) is its row of the table',
    (key, action) => {
      expect(actionFor({ key })).toEqual(action);
    },
  );

  it('labels the vote buttons with their keys', () => {
    expect(VOTES.map((v) => v.keys.map(keyLabel).join(' '))).toEqual(['1 ←', '2 →', '3 ↓', '4 ↑']);
    expect(keyLabel('s')).toBe('S');
  });
});
