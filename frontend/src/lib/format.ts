// Small pure helpers for showing numbers, paths and names.

const counts = new Intl.NumberFormat('en-US');

/** formatCount writes an integer with thousands separators: 3355 → "3,355". */
export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  return counts.format(Math.round(n));
}

/** plural picks the singular or plural form for n: plural(1, 'vote') → "1 vote". */
export function plural(n: number, one: string, many = one + 's'): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** basename returns the last element of a POSIX or Windows path. */
export function basename(path: string): string {
  const trimmed = path.replace(/[\\/]+$/, '');
  const i = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'));
  return i < 0 ? trimmed : trimmed.slice(i + 1);
}

/**
 * relativeTo shows path relative to base when it lies inside it, else the path
 * itself: relativeTo('/d/mt/question.jsonl', '/d/mt') → "question.jsonl".
 */
export function relativeTo(path: string, base: string): string {
  const b = base.replace(/[\\/]+$/, '');
  if (b && (path.startsWith(b + '/') || path.startsWith(b + '\\'))) return path.slice(b.length + 1);
  return path;
}

/** fraction returns done/total clamped to [0, 1]; 0 when total is not positive. */
export function fraction(done: number, total: number): number {
  if (!(total > 0)) return 0;
  return Math.min(1, Math.max(0, done / total));
}

/** humanKind turns a record kind such as "model_answer" into "Model answer". */
export function humanKind(kind: string): string {
  const s = kind.replace(/[_-]+/g, ' ').trim();
  return s ? s[0].toUpperCase() + s.slice(1) : 'Unknown';
}

/** splitPaths splits pasted text into paths: one per line, blank lines ignored. */
export function splitPaths(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((s) => s.trim())
    .map((s) => (s.length >= 2 && /^(["']).*\1$/.test(s) ? s.slice(1, -1) : s))
    .filter((s) => s.length > 0);
}

/** byCountDesc sorts items by a count, largest first, then by label. */
export function byCountDesc<T>(items: T[], count: (t: T) => number, label: (t: T) => string): T[] {
  return [...items].sort((a, b) => count(b) - count(a) || label(a).localeCompare(label(b)));
}
