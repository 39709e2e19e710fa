// Time on task: counts only while the window is focused and the annotator
// has been active (a key, pointer or scroll) within the last idle period.

export const IDLE_MS = 60_000;

export class FocusClock {
  private total = 0;
  private last: number;
  private lastActive: number;

  constructor(
    private now: () => number = () => performance.now(),
    readonly idleMs = IDLE_MS,
  ) {
    this.last = this.lastActive = now();
  }

  /** tick adds the time since the last tick if the window was focused and the annotator not idle. */
  tick(focused: boolean): void {
    const t = this.now();
    if (focused) {
      // Only the part of the interval before the idle limit counts.
      const activeUntil = Math.min(t, this.lastActive + this.idleMs);
      if (activeUntil > this.last) this.total += activeUntil - this.last;
    }
    this.last = t;
  }

  /** active records a sign of life. */
  active(focused: boolean): void {
    this.tick(focused);
    this.lastActive = this.now();
  }

  /** reset starts counting a new item. */
  reset(): void {
    this.total = 0;
    this.last = this.lastActive = this.now();
  }

  get ms(): number {
    return Math.round(this.total);
  }
}

/** pace says a mean time per vote: "12 s / vote", "1.5 min / vote", or "–" before any vote. */
export function pace(ms: number): string {
  if (!ms) return '–';
  const s = ms / 1000;
  return s < 60 ? `${s.toFixed(0)} s / vote` : `${(s / 60).toFixed(1)} min / vote`;
}
