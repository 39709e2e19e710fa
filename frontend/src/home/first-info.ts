// The home screen's counts, asked for as the window starts, beside the
// check for a study package, instead of after it: the counts arrive one
// round trip sooner.
import { backendAvailable, info } from '../lib/api';
import type { Info } from '../lib/types';

let first: Promise<Info> | null = null;

/** prefetchInfo asks Go for the counts now (when the backend is there), for the home screen's first load. */
export function prefetchInfo(fetch: () => Promise<Info> = info): void {
  if (!backendAvailable()) return;
  first = fetch();
  first.catch(() => {}); // the home screen reports a failure when it takes the answer
}

/** takeInfo returns the prefetched counts once, and fresh ones after that. */
export function takeInfo(fetch: () => Promise<Info> = info): Promise<Info> {
  const p = first ?? fetch();
  first = null;
  return p;
}
