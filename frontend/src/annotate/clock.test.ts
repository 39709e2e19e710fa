import { describe, expect, it } from 'vitest';
import { FocusClock, pace } from './clock';

describe('FocusClock', () => {
  function setup() {
    let t = 0;
    const c = new FocusClock(() => t, 60_000);
    return { c, at: (v: number) => (t = v) };
  }
  it('counts focused active time', () => {
    const { c, at } = setup();
    at(1000);
    c.tick(true);
    at(3000);
    c.tick(true);
    expect(c.ms).toBe(3000);
  });
  it('does not count time without focus', () => {
    const { c, at } = setup();
    at(1000);
    c.tick(true);
    at(5000);
    c.tick(false);
    at(6000);
    c.tick(true);
    expect(c.ms).toBe(2000);
  });
  it('stops after the idle limit and resumes on activity', () => {
    const { c, at } = setup();
    at(200_000);
    c.tick(true);
    expect(c.ms).toBe(60_000);
    c.active(true);
    at(210_000);
    c.tick(true);
    expect(c.ms).toBe(70_000);
  });
  it('reset starts from zero', () => {
    const { c, at } = setup();
    at(5000);
    c.tick(true);
    c.reset();
    at(6000);
    c.tick(true);
    expect(c.ms).toBe(1000);
  });
});

describe('pace', () => {
  it.each([
    [0, '–'],
    [12_400, '12 s / vote'],
    [59_000, '59 s / vote'],
    [90_000, '1.5 min / vote'],
  ])('pace(%d) = %j', (ms, want) => {
    expect(pace(ms)).toBe(want);
  });
});
