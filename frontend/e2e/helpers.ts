// Shared helpers for the end-to-end tests.
import { expect, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Info } from '../src/lib/types';

const frontend = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The headless binary the specs check results with (make test-e2e builds it); CONCORD_CLI_BIN is relative to frontend/. */
export const CLI = path.resolve(frontend, process.env.CONCORD_CLI_BIN ?? '../build/bin/concord-cli');

/** cliOn runs the headless binary on the database db and returns its stdout (an export may hold every MT-Bench vote). */
export function cliOn(db: string, ...args: string[]): string {
  return execFileSync(CLI, ['--db', db, ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
}

/** cli runs the headless binary on the e2e run's database. */
export function cli(...args: string[]): string {
  return cliOn(process.env.CONCORD_E2E_DB!, ...args);
}

/** A vote as `concord export votes` writes it (one JSON line). */
export interface ExportedVote {
  question_id: number;
  model_a: string;
  model_b: string;
  winner: string;
  judge: string;
  turn: number;
  left_model: string;
  rationale?: string;
  conversation_a: { role: string; content: string }[];
  conversation_b: { role: string; content: string }[];
}

/** Where the Wails dev build serves the app (its -devserver flag). */
// CONCORD_E2E_PORT lets several runs share a machine (default 34115).
export const APP_PORT = Number(process.env.CONCORD_E2E_PORT ?? 34115);
export const BASE_URL = `http://127.0.0.1:${APP_PORT}`;
/** The fake OpenAI-compatible server of judge.spec.ts listens on the app port + 2. */
export const FAKE_OPENAI_PORT = APP_PORT + 2;

/** backendInfo calls the real Go binding, for exact numbers to compare with the screen. */
export async function backendInfo(page: Page): Promise<Info> {
  return page.evaluate(async () => {
    const app = (window as unknown as { go: { app: { App: { Info(): Promise<Info> } } } }).go.app.App;
    return app.Info();
  });
}

/** statValue reads the number a Home stat tile shows. */
export async function statValue(page: Page, id: string): Promise<number> {
  const v = await page.getByTestId(`stat-${id}`).locator('.value').getAttribute('data-value');
  return Number(v);
}

/** openHome opens the home screen and waits until the counts are in. */
export async function openHome(page: Page): Promise<void> {
  await page.goto('/#/home');
  await expect(page.getByTestId('stat-questions').locator('.value')).not.toHaveAttribute('data-value', '');
}

/**
 * watchRequests records every request the page makes that does not go to the
 * app itself (the dev server at baseURL); a rendered answer must never cause one.
 */
export function watchRequests(page: Page, base: string): string[] {
  const foreign: string[] = [];
  const origin = new URL(base).origin;
  page.on('request', (r) => {
    const u = r.url();
    if (u.startsWith('data:') || u.startsWith('blob:')) return;
    if (new URL(u).origin !== origin) foreign.push(u);
  });
  return foreign;
}

/**
 * watchCSP records Content-Security-Policy violations reported in the console.
 * Note: on a page showing hostile answers, Chromium reports a blocked inline
 * handler while DOMPurify parses them (in an inert document); that report is
 * the policy working, not a leak. Assert on bindings and requests there.
 */
export function watchCSP(page: Page): string[] {
  const violations: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  return violations;
}

/** recordEvents starts collecting a backend event's payloads in the page. */
export async function recordEvents(page: Page, name: string): Promise<() => Promise<unknown[]>> {
  await page.evaluate((n) => {
    const w = window as unknown as { __events?: Record<string, unknown[]>; runtime: { EventsOn(n: string, cb: (d: unknown) => void): void } };
    w.__events ??= {};
    w.__events[n] = [];
    w.runtime.EventsOn(n, (d) => w.__events![n].push(d));
  }, name);
  return () => page.evaluate((n) => (window as unknown as { __events: Record<string, unknown[]> }).__events[n], name);
}
