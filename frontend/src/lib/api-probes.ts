// Judge experiments (app/probe.go): run a probe, list a judge's results.
// Kept apart from api.ts so the move to generated bindings can take it later.
import { call } from './api';
import type { Experiment } from './report-types';
import type { JudgeRequest } from '../judge/types';

/** ProbeRequest mirrors app.ProbeRequest: the judge's settings plus the probe's. */
export interface ProbeRequest extends JudgeRequest {
  kind: 'verbosity' | 'repeat';
  sample: number;
  seed: number;
  rewriteModel: string;
  rewriteBaseUrl: string;
}

/** probe runs (or resumes) an experiment to its end and returns its result. */
export function probe(req: ProbeRequest): Promise<Experiment> {
  return call<Experiment>('Probe', req);
}

/** experiments lists the scored experiments on a judge ("" for all). */
export async function experiments(judge: string): Promise<Experiment[]> {
  return (await call<Experiment[] | null>('Experiments', judge)) ?? [];
}
