// Keyboard map of the Annotate screen, pure so it can be tested.

import type { Verdict } from '../lib/types';

export type Action =
  | { kind: 'vote'; verdict: Exclude<Verdict, 'skip'> }
  | { kind: 'skip' }
  | { kind: 'undo' }
  | { kind: 'help' }
  | { kind: 'raw' }
  | { kind: 'sync' }
  | { kind: 'rationale' };

/** The shortcut sheet: what each key does. */
export const SHEET: { keys: string[]; label: string }[] = [
  { keys: ['1', '←'], label: 'A (left) is better' },
  { keys: ['2', '→'], label: 'B (right) is better' },
  { keys: ['3', '↓'], label: 'Tie' },
  { keys: ['4', '↑'], label: 'Both are bad' },
  { keys: ['S'], label: 'Skip (asks for a reason; comes back once at the end)' },
  { keys: ['Ctrl+Z', 'Backspace'], label: 'Undo the last vote' },
  { keys: ['R'], label: 'Show raw text / rendered' },
  { keys: ['L'], label: 'Link (sync) the two columns’ scrolling' },
  { keys: ['N'], label: 'Write a rationale (Esc leaves the field)' },
  { keys: ['?'], label: 'This sheet' },
];

export interface KeyLike {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
}

/**
 * actionFor maps a key press to an action, or null. inText is true when the
 * focus is in a text field: then only an empty field lets shortcuts through
 * (so a rationale being written keeps every key), and Ctrl+Z stays the
 * field's own undo unless the field is empty.
 */
export function actionFor(e: KeyLike, inText = false, textEmpty = true): Action | null {
  if (inText && !textEmpty) return null;
  const mod = e.ctrlKey || e.metaKey;
  if (mod && (e.key === 'z' || e.key === 'Z')) return { kind: 'undo' };
  if (mod || e.altKey) return null;
  switch (e.key) {
    case '1':
    case 'ArrowLeft':
      return { kind: 'vote', verdict: 'A' };
    case '2':
    case 'ArrowRight':
      return { kind: 'vote', verdict: 'B' };
    case '3':
    case 'ArrowDown':
      return { kind: 'vote', verdict: 'tie' };
    case '4':
    case 'ArrowUp':
      return { kind: 'vote', verdict: 'both_bad' };
    case 's':
    case 'S':
      return { kind: 'skip' };
    case 'Backspace':
      return { kind: 'undo' };
    case '?':
      return { kind: 'help' };
    case 'r':
    case 'R':
      return { kind: 'raw' };
    case 'l':
    case 'L':
      return { kind: 'sync' };
    case 'n':
    case 'N':
      return inText ? null : { kind: 'rationale' };
  }
  return null;
}
