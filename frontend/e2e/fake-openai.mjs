// A small OpenAI-compatible server for the judge screen's end-to-end test:
// POST /v1/chat/completions answers after a short delay with a judgment that
// ends in [[A]], [[B]] or [[C]] (chosen from a hash of the prompt, so the same
// prompt always gets the same verdict), or for a single-answer prompt a rating
// [[1]] to [[10]], and usage tokens. GET /health answers
// 200 for Playwright's webServer check, with the number of answered and of
// refused (401) requests.
//
//   FAKE_OPENAI_PORT   port on 127.0.0.1 (default 34117)
//   FAKE_OPENAI_DELAY  reply delay in ms (default 40)
//   FAKE_OPENAI_KEY    if set, requests must carry "Authorization: Bearer <key>" (else 401, whose
//                      message quotes the key sent, as a careless server might: Concord must scrub it)
//   FAKE_BATCH_MS      how long a batch stays in progress before it completes (default 1500)
//
// It also serves OpenAI's Batch API: POST /v1/files (multipart upload), GET
// /v1/files/{id}/content, POST /v1/batches, GET /v1/batches[/{id}], POST
// /v1/batches/{id}/cancel. A batch is "validating", then "in_progress", and
// "completed" once FAKE_BATCH_MS have passed and it is not held, each line
// answered as a chat completion would be. POST /control/hold?on=1|0 holds
// every batch in progress (for a test that restarts the app meanwhile).
// POST /control/verbose?on=1|0 makes the judge prefer the longer answer (of
// Concord's prompts, one or two turns; a tie when equal), as a verbose-biased
// judge would: the verbosity probe must then fail on every item.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';

const port = Number(process.env.FAKE_OPENAI_PORT ?? 34117);
const delay = Number(process.env.FAKE_OPENAI_DELAY ?? 40);
const key = process.env.FAKE_OPENAI_KEY ?? '';
let requests = 0;
let unauthorized = 0;
let verbose = false;

// Concord's answer blocks: label and text, single-turn or a conversation.
const ANSWER = /=== (?:Answer of|Conversation with) assistant (\w+) ===\n([\s\S]*?)\n=== End of (?:conversation with )?\1 ===/g;

// longerLabel is the label of the longer of the two answers in the prompt, C
// when they are as long, null when the prompt is not Concord's.
function longerLabel(text) {
  const m = [...text.matchAll(ANSWER)];
  if (m.length < 2) return null;
  if (m[0][2].length === m[1][2].length) return 'C';
  return m[0][2].length > m[1][2].length ? m[0][1] : m[1][1];
}

function send(res, status, body) {
  const b = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(b) });
  res.end(b);
}

// completion answers a chat request.
function completion(parsed) {
  const text = (parsed.messages ?? []).map((m) => String(m.content ?? '')).join('\n');
  const h = createHash('sha256').update(text).digest();
  const verdict = (verbose && longerLabel(text)) || ['A', 'B', 'C'][h[0] % 3];
  // A single-answer prompt ("... in the form Rating: [[N]]") gets a rating from 1 to 10.
  const rating = /Rating: \[\[/.test(text) ? 1 + (h[1] % 10) : 0;
  const judgment = rating
    ? `**Assessment.** The answer is ${rating >= 7 ? 'correct and clear' : 'partly off'}.\n\nRating: [[${rating}]]`
    :
    `**Assessment.** Assistant A answers the question directly; Assistant B adds more detail but also more filler.\n\n` +
    `- Accuracy: both are broadly correct.\n- Helpfulness: ${verdict === 'C' ? 'comparable' : `Assistant ${verdict} is more useful`}.\n\n` +
    `Final verdict: [[${verdict}]]`;
  const promptTokens = Math.ceil(text.length / 4);
  const completionTokens = Math.ceil(judgment.length / 4);
  return {
    id: `chatcmpl-fake-${requests}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: parsed.model ?? 'fake',
    choices: [{ index: 0, message: { role: 'assistant', content: judgment }, finish_reason: 'stop' }],
    usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
  };
}

// ---- the Batch API ----
const batchMs = Number(process.env.FAKE_BATCH_MS ?? 1500);
const files = new Map(); // id -> Buffer
const batches = new Map(); // id -> batch object (with a hidden created time)
let held = false;
let nextId = 0;
let batchLines = 0;

// multipartFile returns the "file" part of a multipart/form-data body.
function multipartFile(body, contentType) {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType ?? '');
  if (!boundary) return null;
  const sep = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  let at = body.indexOf(sep);
  while (at >= 0) {
    const next = body.indexOf(sep, at + sep.length);
    if (next < 0) break;
    const part = body.subarray(at + sep.length + 2, next - 2); // skip CRLF after the boundary and before the next
    const headEnd = part.indexOf('\r\n\r\n');
    const head = part.subarray(0, headEnd).toString();
    if (/name="file"/.test(head)) return part.subarray(headEnd + 4);
    at = next;
  }
  return null;
}

function advance(b) {
  if (['completed', 'cancelled', 'failed', 'expired'].includes(b.status)) return b;
  if (b.status === 'validating') b.status = 'in_progress';
  if (b.status === 'in_progress' && !held && Date.now() - b._created >= batchMs) {
    const out = [];
    for (const line of files.get(b.input_file_id).toString().split('\n')) {
      if (!line.trim()) continue;
      const r = JSON.parse(line);
      batchLines++;
      out.push(JSON.stringify({ id: `batch_req_${++nextId}`, custom_id: r.custom_id, response: { status_code: 200, request_id: `req_${nextId}`, body: completion(r.body) }, error: null }));
    }
    const id = `file-${++nextId}`;
    files.set(id, Buffer.from(out.join('\n') + '\n'));
    b.status = 'completed';
    b.output_file_id = id;
    b.completed_at = Math.floor(Date.now() / 1000);
    b.request_counts = { total: out.length, completed: out.length, failed: 0 };
  }
  return b;
}

function publicBatch(b) {
  const { _created, ...rest } = b;
  return rest;
}

function batchAPI(req, res, body) {
  const url = new URL(req.url, 'http://fake');
  const p = url.pathname;
  if (req.method === 'POST' && p === '/v1/files') {
    const data = multipartFile(body, req.headers['content-type']);
    if (!data) return send(res, 400, { error: { message: 'no file part', type: 'invalid_request_error' } });
    const id = `file-${++nextId}`;
    files.set(id, data);
    return send(res, 200, { id, object: 'file', bytes: data.length, purpose: 'batch', filename: 'batch.jsonl', created_at: Math.floor(Date.now() / 1000) });
  }
  let m = /^\/v1\/files\/([^/]+)\/content$/.exec(p);
  if (req.method === 'GET' && m) {
    const data = files.get(m[1]);
    if (!data) return send(res, 404, { error: { message: `no file ${m[1]}`, type: 'invalid_request_error' } });
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': data.length });
    return res.end(data);
  }
  if (req.method === 'POST' && p === '/v1/batches') {
    const r = JSON.parse(body.toString() || '{}');
    if (!files.has(r.input_file_id)) return send(res, 400, { error: { message: 'no input file', type: 'invalid_request_error' } });
    const id = `batch_${++nextId}`;
    const b = { id, object: 'batch', endpoint: r.endpoint, input_file_id: r.input_file_id, completion_window: r.completion_window, status: 'validating', created_at: Math.floor(Date.now() / 1000), metadata: r.metadata ?? null, request_counts: { total: 0, completed: 0, failed: 0 }, _created: Date.now() };
    batches.set(id, b);
    return send(res, 200, publicBatch(b));
  }
  if (req.method === 'GET' && p === '/v1/batches') {
    return send(res, 200, { object: 'list', data: [...batches.values()].reverse().map((b) => publicBatch(advance(b))), has_more: false });
  }
  m = /^\/v1\/batches\/([^/]+)(\/cancel)?$/.exec(p);
  if (m && batches.has(m[1])) {
    const b = batches.get(m[1]);
    if (m[2] && req.method === 'POST' && !['completed', 'failed', 'expired'].includes(b.status)) b.status = 'cancelled';
    return send(res, 200, publicBatch(advance(b)));
  }
  return send(res, 404, { error: { message: `no route ${req.method} ${p}`, type: 'invalid_request_error' } });
}

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/health') return send(res, 200, { ok: true, requests, unauthorized, batches: batches.size, batchLines });
  if (req.method === 'POST' && req.url?.startsWith('/control/verbose')) {
    verbose = new URL(req.url, 'http://fake').searchParams.get('on') === '1';
    return send(res, 200, { verbose });
  }
  if (req.method === 'POST' && req.url?.startsWith('/control/hold')) {
    held = new URL(req.url, 'http://fake').searchParams.get('on') === '1';
    return send(res, 200, { held });
  }
  if (req.url?.startsWith('/v1/files') || req.url?.startsWith('/v1/batches')) {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      if (key && req.headers.authorization !== `Bearer ${key}`) {
        unauthorized++;
        return send(res, 401, { error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' } });
      }
      batchAPI(req, res, Buffer.concat(chunks));
    });
    return;
  }
  if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
    return send(res, 404, { error: { message: `no route ${req.method} ${req.url}`, type: 'invalid_request_error' } });
  }
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    if (key && req.headers.authorization !== `Bearer ${key}`) {
      unauthorized++;
      const sent = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
      return send(res, 401, { error: { message: `Incorrect API key provided: ${sent}.`, type: 'invalid_request_error', code: 'invalid_api_key' } });
    }
    let parsed;
    try {
      parsed = JSON.parse(body);
    } catch {
      return send(res, 400, { error: { message: 'body is not JSON', type: 'invalid_request_error' } });
    }
    requests++;
    setTimeout(() => send(res, 200, completion(parsed)), delay);
  });
});

server.listen(port, '127.0.0.1', () => {
  console.log(`fake OpenAI server on http://127.0.0.1:${port}/v1`);
});
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => server.close(() => process.exit(0)));
