import { afterEach, describe, expect, it, vi } from 'vitest';
import { dismiss, errorMessage, notify, notifyError, TOAST_MS, toasts } from './notify.svelte';
import { BackendError } from './api';

afterEach(() => {
  toasts.splice(0, toasts.length);
  vi.useRealTimers();
});

describe('errorMessage', () => {
  const msg = 'import /d/question.jsonl:3: field "turns": want array of strings, got number';
  it.each([
    ['Error', new Error(msg), msg],
    ['BackendError', new BackendError('Import', msg), msg],
    ['string (Wails before 2.13)', msg, msg],
    ['object with message', { message: msg }, msg],
    ['other object', { code: 3 }, '{"code":3}'],
    ['undefined', undefined, 'undefined'],
  ])('errorMessage(%s)', (_n, e, want) => {
    expect(errorMessage(e)).toBe(want);
  });
});

describe('toasts', () => {
  it('keeps an error until dismissed and shows its message verbatim', () => {
    vi.useFakeTimers();
    const m = notifyError('Import failed', new Error('line 3: bad'));
    expect(m).toBe('line 3: bad');
    vi.advanceTimersByTime(TOAST_MS * 3);
    expect(toasts.map((t) => [t.kind, t.title, t.message])).toEqual([['error', 'Import failed', 'line 3: bad']]);
    dismiss(toasts[0].id);
    expect(toasts).toHaveLength(0);
  });

  it('removes info toasts after a while', () => {
    vi.useFakeTimers();
    notify('success', 'Imported', '3 files');
    expect(toasts).toHaveLength(1);
    vi.advanceTimersByTime(TOAST_MS + 1);
    expect(toasts).toHaveLength(0);
  });

  it('gives each toast its own id', () => {
    const a = notify('info', 'a');
    const b = notify('info', 'b');
    expect(a).not.toBe(b);
    dismiss(a);
    expect(toasts.map((t) => t.title)).toEqual(['b']);
  });
});
