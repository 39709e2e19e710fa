// Batch runs through a provider's Batch API (app/judge_batch.go,
// app/judge_batch_window.go), with the same `call` as api.ts; the integrator
// converts these with the rest to the generated bindings.
import { call } from './api';
import type { JudgePlan, JudgeRequest } from '../judge/types';

/** BatchOptions are a batch run's settings beyond its request (app.BatchOptions). */
export interface BatchOptions {
  discount: number; // fraction off the live price, 0 to 1
  maxRequests: number; // 0: the default (50,000)
  maxBytes: number; // 0: the default (190 MB)
}

/** BatchPlan is a batch dry run (app.BatchPlan). */
export interface BatchPlan extends JudgePlan {
  discount: number;
  batchCost: number;
  parts: number;
  inBatches: number;
}

/** BatchLine is a request line of a batch (store.BatchLine). */
export interface BatchLine {
  customId: string;
  state: string;
  error?: string;
}

/** BatchStatus is one recorded batch (store.BatchRecord) with its failed lines. */
export interface BatchStatus {
  id: number;
  judge: string;
  remoteId: string;
  status: string;
  requests: number;
  completed: number;
  failed: number;
  stored: number;
  linesFailed: number;
  ingested: boolean;
  error?: string;
  failedLines: BatchLine[];
}

/** BatchWatch is what BatchStatus returns (app.BatchWatch). */
export interface BatchWatch {
  batches: BatchStatus[];
  watching: boolean;
  error?: string;
}

export const batchDryRun = (req: JudgeRequest, opts: BatchOptions) => call<BatchPlan>('BatchDryRun', req, opts);
export const batchStart = (req: JudgeRequest, opts: BatchOptions) => call<BatchPlan>('BatchStart', req, opts);
export const batchStatus = () => call<BatchWatch>('BatchStatus');
export const batchCancel = () => call<void>('BatchCancel');
