// End-to-end tests in Debian's chromium against the Wails dev build, which
// serves frontend/dist with working Go bindings at 127.0.0.1:$CONCORD_E2E_PORT (default 34115; see
// ../../shared/RECIPES.md). Build first: `make build-dev` (frontend + binary).
import { defineConfig } from '@playwright/test';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { APP_PORT, BASE_URL, FAKE_OPENAI_PORT } from './helpers';

const frontend = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const binary = path.resolve(frontend, process.env.CONCORD_DEV_BIN ?? '../build/bin/concord-dev');
// CONCORD_E2E_DIST: another built frontend (npx vite build --outDir DIR), so parallel runs don't share dist/.
const distDir = path.resolve(frontend, process.env.CONCORD_E2E_DIST ?? 'dist');
const dist = path.join(distDir, 'index.html');
for (const [file, how] of [
  [binary, 'make build-dev (go build -tags dev,webkit2_41 -o build/bin/concord-dev .)'],
  [dist, 'npm run build'],
]) {
  if (!existsSync(file)) throw new Error(`e2e: ${file} is missing; build it with: ${how}`);
}

// One fresh database per run. Workers re-read this file, so the path is
// passed on through the environment rather than made again.
process.env.CONCORD_E2E_DB ??= path.join(mkdtempSync(path.join(tmpdir(), 'concord-e2e-')), 'concord.db');
const DB_PATH = process.env.CONCORD_E2E_DB;
// The app keeps its API key file and price table in the config folder: give
// the run its own, so tests never touch the user's.
process.env.CONCORD_E2E_CONFIG ??= mkdtempSync(path.join(tmpdir(), 'concord-e2e-config-'));

const chromiumArgs = [
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];
if (process.getuid?.() === 0) chromiumArgs.unshift('--no-sandbox');

export default defineConfig({
  testDir: '.',
  testMatch: '**/*.spec.ts',
  outputDir: process.env.CONCORD_E2E_OUTPUT ?? path.join(frontend, 'test-results'),
  fullyParallel: false,
  workers: 1, // one Go backend per app process
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: process.env.CI ? 'line' : [['list']],
  use: {
    baseURL: BASE_URL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    viewport: { width: 1280, height: 800 },
    launchOptions: { executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: chromiumArgs },
  },
  webServer: [
  {
    command:
      `xvfb-run -a -s "-screen 0 1280x1024x24" ${JSON.stringify(binary)} --db ${JSON.stringify(DB_PATH)} ` +
      `-assetdir ${JSON.stringify(distDir)} -devserver 127.0.0.1:${APP_PORT}`,
    cwd: frontend,
    env: { ...process.env, XDG_CONFIG_HOME: process.env.CONCORD_E2E_CONFIG } as Record<string, string>,
    url: BASE_URL,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'ignore', // the dev build logs every request
    stderr: 'pipe',
    gracefulShutdown: { signal: 'SIGTERM', timeout: 5000 },
  },
  // judge.spec.ts: an OpenAI-compatible stand-in (see fake-openai.mjs).
  {
    command: 'node e2e/fake-openai.mjs',
    cwd: frontend,
    url: `http://127.0.0.1:${FAKE_OPENAI_PORT}/health`,
    env: { FAKE_OPENAI_PORT: String(FAKE_OPENAI_PORT), FAKE_OPENAI_KEY: 'sk-concord-e2e-9f3a1c7d5b', FAKE_OPENAI_DELAY: '40' },
    reuseExistingServer: false,
    timeout: 10_000,
    stdout: 'ignore',
    stderr: 'pipe',
    gracefulShutdown: { signal: 'SIGTERM', timeout: 2000 },
  },
  ],
});
