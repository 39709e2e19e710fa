// Keyboard map of the Annotate screen, pure so it can be tested: one table
// gives the keys, the shortcut sheet and the vote buttons.

import type { Choice } from '../lib/types';

export type Action =
  | { kind: 'vote'; choice: Exclude<Choice, 'skip'> }
  | { kind: 'skip' }
  | { kind: 'undo' }
  | { kind: 'help' }
  | { kind: 'raw' }
  | { kind: 'sync' }
  | { kind: 'rationale' };

/** A shortcut: the keys (KeyboardEvent.key values; letters in lower case) and what they do. */
export interface Shortcut {
  action: Action;
  keys: string[];
  label: string;
}

/** A vote: its shortcut, and the button that casts it. */
export interface VoteShortcut extends Shortcut {
  action: Extract<Action, { kind: 'vote' }>;
  button: string;
  testid: string;
}

/** VOTES are the four choices, in the order of their keys and buttons. */
export const VOTES: VoteShortcut[] = [
  { action: { kind: 'vote', choice: 'A' }, keys: ['1', 'ArrowLeft'], label: 'A (left) is better', button: 'A is better', testid: 'vote-a' },
  { action: { kind: 'vote', choice: 'B' }, keys: ['2', 'ArrowRight'], label: 'B (right) is better', button: 'B is better', testid: 'vote-b' },
  { action: { kind: 'vote', choice: 'tie' }, keys: ['3', 'ArrowDown'], label: 'Tie', button: 'Tie', testid: 'vote-tie' },
  { action: { kind: 'vote', choice: 'both_bad' }, keys: ['4', 'ArrowUp'], label: 'Both are bad', button: 'Both bad', testid: 'vote-both-bad' },
];

/** UNDO_WITH_CTRL stands for Ctrl+Z (or Cmd+Z) in the table. */
const UNDO_WITH_CTRL = 'Ctrl+Z';

/** SHORTCUTS is every key of the screen, in the order of the shortcut sheet. */
export const SHORTCUTS: Shortcut[] = [
  ...VOTES,
  { action: { kind: 'skip' }, keys: ['s'], label: 'Skip (asks for a reason; comes back once at the end)' },
  { action: { kind: 'undo' }, keys: [UNDO_WITH_CTRL, 'Backspace'], label: 'Undo the last vote' },
  { action: { kind: 'raw' }, keys: ['r'], label: 'Show raw text / rendered' },
  { action: { kind: 'sync' }, keys: ['l'], label: 'Link (sync) the two columns’ scrolling' },
  { action: { kind: 'rationale' }, keys: ['n'], label: 'Write a rationale (Esc leaves the field)' },
  { action: { kind: 'help' }, keys: ['?'], label: 'This sheet' },
];

const SYMBOLS: Record<string, string> = { ArrowLeft: '←', ArrowRight: '→', ArrowDown: '↓', ArrowUp: '↑' };

/** keyLabel is how a key of the table is printed: arrows as arrows, letters in upper case. */
export function keyLabel(key: string): string {
  return SYMBOLS[key] ?? (key.length === 1 ? key.toUpperCase() : key);
}

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
  let key: string;
  if (mod && (e.key === 'z' || e.key === 'Z')) key = UNDO_WITH_CTRL;
  else if (mod || e.altKey) return null;
  else key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  const action = SHORTCUTS.find((s) => s.keys.includes(key))?.action ?? null;
  return inText && action?.kind === 'rationale' ? null : action;
}
