// A stand-in for the Go backend under `npm run dev` only (main.ts loads it
// behind import.meta.env.DEV, so it is not in the production bundle). It
// mimics the demo database and a slow MT-Bench import; a path containing
// "bad" fails the way the real importer does.

import type { ImportProgress, ImportReport, Info } from '../types';

type Listener = (data: unknown) => void;

const listeners = new Map<string, Set<Listener>>();

function emit(name: string, data: unknown) {
  for (const cb of listeners.get(name) ?? []) cb(data);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const state: Info = {
  db_path: '/home/you/.local/share/concord/concord.db',
  created_by: 'dev',
  written_by: 'dev',
  questions: 12,
  models: 3,
  answers: 36,
  human_votes: 42,
  annotators: 4,
  judge_verdicts: { 'demo-judge': 72 },
  judge_ratings: {},
  ratings: [],
  categories: [
    { name: 'writing', count: 2 },
    { name: 'roleplay', count: 1 },
    { name: 'reasoning', count: 2 },
    { name: 'math', count: 2 },
    { name: 'coding', count: 2 },
    { name: 'extraction', count: 1 },
    { name: 'stem', count: 1 },
    { name: 'humanities', count: 1 },
  ],
  model_list: [
    { name: 'demo-aurora', count: 12 },
    { name: 'demo-basalt', count: 12 },
    { name: 'demo-cirrus', count: 12 },
  ],
  groups: [{ group: 'demo', annotators: 4, votes: 42 }],
  judges: [{ name: 'demo-judge', verdicts: 72, both_orders: 36, errors: 0 }],
  demo: true,
  prompts: 0,
  schema_version: 0,
};

const mtBenchFiles: { path: string; kind: string; records: number }[] = [
  { path: 'question.jsonl', kind: 'questions', records: 80 },
  { path: 'reference_answer/gpt-4.jsonl', kind: 'reference_answers', records: 30 },
  { path: 'model_answer/alpaca-13b.jsonl', kind: 'model_answer', records: 80 },
  { path: 'model_answer/claude-v1.jsonl', kind: 'model_answer', records: 80 },
  { path: 'model_answer/gpt-3.5-turbo.jsonl', kind: 'model_answer', records: 80 },
  { path: 'model_answer/gpt-4.jsonl', kind: 'model_answer', records: 80 },
  { path: 'model_answer/llama-13b.jsonl', kind: 'model_answer', records: 80 },
  { path: 'model_answer/vicuna-13b-v1.2.jsonl', kind: 'model_answer', records: 80 },
  { path: 'model_answer/vicuna-13b-v1.3.jsonl', kind: 'model_answer', records: 80 },
];

let imported = false;

async function importPaths(paths: string[]): Promise<ImportReport> {
  const bad = paths.find((p) => p.includes('bad'));
  const root = paths[0].replace(/\/+$/, '');
  const files = bad ? [{ path: bad, kind: 'model_answer', records: 3 }] : mtBenchFiles;
  const report: ImportReport = { files: [], unrecognised: [], added: 0, unchanged: 0, replaced: 0 };
  for (let i = 0; i < files.length; i++) {
    await sleep(180);
    const f = files[i];
    const path = bad ? f.path : `${root}/${f.path}`;
    const p: ImportProgress = { file: path, kind: f.kind, records: f.records, done_files: i + 1, total_files: files.length };
    emit('import:progress', p);
    const added = imported ? 0 : f.records;
    report.files.push({ path, kind: f.kind, records: f.records, added, unchanged: f.records - added, replaced: 0 });
    report.added += added;
    report.unchanged += f.records - added;
  }
  if (bad) {
    throw new Error(`import ${bad}:3: field "question_id": unknown question 999 (import the questions first)`);
  }
  report.unrecognised = [`${root}/README.md`];
  if (!imported) {
    imported = true;
    state.questions += 80;
    state.categories = state.categories.map((c) => ({ ...c, count: c.count + 10 }));
    const names = mtBenchFiles.filter((f) => f.kind === 'model_answer').map((f) => f.path.replace(/^.*\/|\.jsonl$/g, ''));
    state.model_list = [...state.model_list, ...names.map((name) => ({ name, count: 80 }))];
    state.models = state.model_list.length;
    state.answers += 80 * names.length;
    state.demo = false;
  }
  return report;
}

export function installMock(): void {
  const App = {
    Info: async () => {
      await sleep(120);
      return structuredClone(state);
    },
    PickImportFiles: async () => ['/home/you/data/mt_bench/question.jsonl'],
    PickImportFolder: async () => '/home/you/data/mt_bench',
    Import: importPaths,
  };
  window.go = { app: { App: App as unknown as Record<string, (...a: never[]) => Promise<unknown>> } };
  window.runtime = {
    EventsOn(name: string, cb: Listener) {
      if (!listeners.has(name)) listeners.set(name, new Set());
      listeners.get(name)!.add(cb);
      return () => listeners.get(name)?.delete(cb);
    },
    BrowserOpenURL(url: string) {
      console.info('[mock] BrowserOpenURL', url);
    },
  };
  console.info('[concord] using the development mock backend');
}
