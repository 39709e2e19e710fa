// The item the Annotate screen shows, with what the backend sends ahead of
// it: Upcoming is the turn that follows once this one is voted, which the
// screen lays out hidden while the annotator reads, so the next item appears
// as soon as the vote has committed.

import type { AnnotateItem } from '../lib/types';

export interface Item extends Omit<AnnotateItem, 'upcoming'> {
  /** The turn laid out ahead; null when none follows (Go leaves it out, or sends a done item). */
  upcoming: Item | null;
}

/** keyOf identifies a turn of a study item. */
export function keyOf(i: Pick<AnnotateItem, 'study_id' | 'pos' | 'turn'>): string {
  return `${i.study_id}:${i.pos}:${i.turn}`;
}

/** toItem nests the upcoming turn as an Item, or null when there is none to lay out. */
export function toItem(i: AnnotateItem): Item {
  return { ...i, upcoming: i.upcoming && !i.upcoming.done ? toItem(i.upcoming) : null };
}

/**
 * adopt returns the item to show after a vote: the one laid out ahead when it
 * is the turn that came back (its text arrays kept, so nothing is rendered
 * again), with the fresh progress and upcoming turn; otherwise next itself.
 */
export function adopt(ahead: Item | null, next: Item): Item {
  if (!ahead || next.done || keyOf(ahead) !== keyOf(next)) return next;
  return { ...ahead, progress: next.progress, revisit: next.revisit, skipped_left: next.skipped_left, upcoming: next.upcoming };
}

/**
 * itemSources lists the Markdown texts ItemView renders for an item, in
 * page order: the first question (on a later turn), the current question,
 * the reference, then each side's turns up to the current one.
 */
export function itemSources(i: Item): string[] {
  const out: string[] = [];
  if (i.turn > 1) out.push(i.questions[0] ?? '');
  out.push(i.questions[i.turn - 1] ?? '');
  if (i.reference.length > 0) out.push(i.reference[i.turn - 1] ?? i.reference[0]);
  for (const side of [i.left, i.right]) out.push(...side.slice(0, i.turn));
  return out;
}
