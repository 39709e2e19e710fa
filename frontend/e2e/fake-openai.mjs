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
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';

const port = Number(process.env.FAKE_OPENAI_PORT ?? 34117);
const delay = Number(process.env.FAKE_OPENAI_DELAY ?? 40);
const key = process.env.FAKE_OPENAI_KEY ?? '';
let requests = 0;
let unauthorized = 0;

function send(res, status, body) {
  const b = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(b) });
  res.end(b);
}

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/health') return send(res, 200, { ok: true, requests, unauthorized });
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
    const text = (parsed.messages ?? []).map((m) => String(m.content ?? '')).join('\n');
    const h = createHash('sha256').update(text).digest();
    const verdict = ['A', 'B', 'C'][h[0] % 3];
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
    setTimeout(() => {
      send(res, 200, {
        id: `chatcmpl-fake-${requests}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: parsed.model ?? 'fake',
        choices: [{ index: 0, message: { role: 'assistant', content: judgment }, finish_reason: 'stop' }],
        usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
      });
    }, delay);
  });
});

server.listen(port, '127.0.0.1', () => {
  console.log(`fake OpenAI server on http://127.0.0.1:${port}/v1`);
});
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => server.close(() => process.exit(0)));
