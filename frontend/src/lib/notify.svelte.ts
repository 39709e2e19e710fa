// The one place that turns a failed call into a visible message: screens call
// notifyError (or errorMessage for an inline panel) and Toasts.svelte shows
// the list.

export type ToastKind = 'error' | 'info' | 'success';

export interface Toast {
  id: number;
  kind: ToastKind;
  title: string;
  message: string;
}

/** How long info and success toasts stay; errors stay until dismissed. */
export const TOAST_MS = 5000;

export const toasts: Toast[] = $state([]);

let nextId = 1;

/** errorMessage returns the text to show for a rejected call, verbatim. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  if (typeof e === 'string') return e;
  if (e && typeof e === 'object' && 'message' in e && typeof (e as { message: unknown }).message === 'string') {
    return (e as { message: string }).message;
  }
  try {
    return JSON.stringify(e) ?? String(e);
  } catch {
    return String(e);
  }
}

/** notify shows a toast and returns its id. */
export function notify(kind: ToastKind, title: string, message = ''): number {
  const id = nextId++;
  toasts.push({ id, kind, title, message });
  if (kind !== 'error') setTimeout(() => dismiss(id), TOAST_MS);
  return id;
}

/** notifyError shows a failed call as an error toast and returns its message. */
export function notifyError(title: string, e: unknown): string {
  const message = errorMessage(e);
  notify('error', title, message);
  return message;
}

/** dismiss removes a toast. */
export function dismiss(id: number): void {
  const i = toasts.findIndex((t) => t.id === id);
  if (i >= 0) toasts.splice(i, 1);
}
