import { afterEach, describe, expect, it, vi } from 'vitest';
import { prefetchInfo, takeInfo } from './first-info';
import type { Info } from '../lib/types';

const counts = (questions: number) => ({ questions }) as Info;

afterEach(() => {
  delete window.go;
});

describe('first-info', () => {
  it('hands the prefetched counts to the first load only, fresh ones after', async () => {
    window.go = { app: { App: { Info: async () => counts(0) } } };
    const fetch = vi.fn().mockResolvedValueOnce(counts(80)).mockResolvedValueOnce(counts(81));
    prefetchInfo(fetch);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(await takeInfo(fetch)).toEqual(counts(80));
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(await takeInfo(fetch)).toEqual(counts(81));
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('asks nothing without a backend, and the first load asks itself', async () => {
    const fetch = vi.fn().mockResolvedValue(counts(3));
    prefetchInfo(fetch);
    expect(fetch).not.toHaveBeenCalled();
    expect(await takeInfo(fetch)).toEqual(counts(3));
  });

  it("a failed prefetch is the first load's failure", async () => {
    window.go = { app: { App: { Info: async () => counts(0) } } };
    prefetchInfo(() => Promise.reject(new Error('database is gone')));
    await expect(takeInfo(vi.fn())).rejects.toThrow('database is gone');
  });
});
