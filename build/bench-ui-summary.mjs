// Summarises a CONCORD_TRACE file for `make bench-ui`: p50 / p95 / max of
// keypress → next item painted and of its parts, and the start-up time.
// Usage: node build/bench-ui-summary.mjs TRACE.jsonl
import { readFileSync } from 'node:fs';

const file = process.argv[2];
if (!file) {
  console.error('usage: node build/bench-ui-summary.mjs TRACE.jsonl');
  process.exit(2);
}

const votes = [];
const startups = [];
readFileSync(file, 'utf8')
  .split('\n')
  .forEach((line, i) => {
    if (!line.trim()) return;
    let rec;
    try {
      rec = JSON.parse(line);
    } catch (e) {
      console.error(`${file}:${i + 1}: not a JSON record: ${e.message}`);
      process.exit(1);
    }
    if (rec.kind === 'vote') votes.push(rec);
    else if (rec.kind === 'startup') startups.push(rec);
  });

// The nearest-rank quantile, as e2e/annotate-latency.spec.ts computes it.
function quantile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
}
const ms = (x) => `${x.toFixed(1)} ms`;
const f = (xs) => `p50 ${ms(quantile(xs, 0.5))}, p95 ${ms(quantile(xs, 0.95))}, max ${ms(Math.max(...xs))}`;

if (votes.length === 0) {
  console.log('no vote in the trace');
} else {
  const col = (k) => votes.map((v) => v[k]);
  console.log(`keypress → next item painted (n=${votes.length}): ${f(col('total_ms'))}`);
  console.log(`  keydown event → handler: ${f(col('queue_ms'))}`);
  console.log(`  Go call (vote commit + next item): ${f(col('call_ms'))}`);
  if (votes.every((v) => typeof v.go_ms === 'number')) {
    console.log(`    of which App.Vote in Go: ${f(col('go_ms'))}; the bridge: ${f(votes.map((v) => v.call_ms - v.go_ms))}`);
    console.log(`    reply: ${quantile(col('reply_bytes'), 0.5)} bytes (p50), ${Math.max(...col('reply_bytes'))} max`);
  }
  console.log(`  DOM update (Markdown, highlighting, KaTeX): ${f(col('dom_ms'))}`);
  console.log(`  to the next frame: ${f(col('paint_ms'))}`);
}
for (const s of startups) {
  console.log(
    `start-up, process start → home screen's counts shown: ${ms(s.total_ms)}` +
      ` (to the page's time origin ${ms(s.before_page_ms)}, then the page ${ms(s.page_ms)}` +
      (s.loaded_ms ? `: its scripts run ${ms(s.loaded_ms)}, the data shown ${ms(s.page_ms - s.loaded_ms)})` : ')'),
  );
}
if (votes.length === 0) process.exit(1);
