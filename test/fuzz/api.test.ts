import fc from 'fast-check';
import { maxHeaderSize } from 'node:http';
import { answerProblems } from './support/answer-checks';
import { heapAfterGc } from './support/heap';
import { hostileRequest, hostileText, orgSegment } from './support/hostile-requests';
import { KEYS, ORG_A, ORG_B, startInProcessApi, type InProcessApi } from './support/in-process-api';
import { closeAgent, send, type RawRequest, type RawResponse } from './support/raw-http';
import { fuzzRuns, fuzzSeed } from './support/runs';

// Property-based fuzzing of the files API in process: functions-framework's
// server, the real body layer, router, auth and handlers, on in-memory ports so
// tens of thousands of requests fit in CI. Runs scale with FUZZ_RUNS.
const RUNS = fuzzRuns(6000);
// A budget for a busy machine, not a measure: the short run takes about 30 s on two idle cores.
jest.setTimeout(Math.max(600_000, RUNS * 60));
const seed = fuzzSeed();
let api: InProcessApi;
const fileIds: string[] = [];

/** What a refused request must leave exactly as it was. */
function stateOf(api: InProcessApi) {
  const b = api.backends;
  return JSON.stringify({
    files: b.files.size,
    sessions: b.sessions.size,
    cancelled: b.cancelled.size,
    objects: b.objects.size,
    claims: b.claims.size,
    a: b.usages.get(ORG_A) ?? null,
    b: b.usages.get(ORG_B) ?? null,
  });
}

// Lone surrogates, and controls that reorder or hide text.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const BIDI_OR_INVISIBLE = /[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/;

/** A stored record's strings: well-formed Unicode, and no bidi or invisible control in the object name. */
function recordProblems(api: InProcessApi): string[] {
  const problems: string[] = [];
  for (const r of api.backends.files.values()) {
    for (const [field, value] of Object.entries(r)) {
      if (typeof value === 'string' && LONE_SURROGATE.test(value)) problems.push(`record ${r.id}: ${field} is not well-formed Unicode`);
    }
    if (BIDI_OR_INVISIBLE.test(r.storage_path))
      problems.push(`record ${r.id}: bidi or invisible control in ${JSON.stringify(r.storage_path)}`);
  }
  return problems;
}

/** The bytes of a request's head, as Node's parser counts them against its maximum. */
function headBytes(req: RawRequest): number {
  const lines = Object.entries(req.headers).flatMap(([name, value]) => [value].flat().map((v) => `${name}: ${v}\r\n`));
  return Buffer.byteLength(`${req.method} ${req.path} HTTP/1.1\r\n${lines.join('')}\r\n`);
}

async function call(req: RawRequest): Promise<RawResponse | 'refused by the HTTP parser'> {
  let res: RawResponse;
  try {
    res = await send(api.url, req);
  } catch (error) {
    // A head over Node's limit is answered 431 and the connection closed at once;
    // when the client is still sending its body, TCP resets the connection and the
    // client may see the reset before it reads the 431 (seen on Node 24).
    const code = (error as NodeJS.ErrnoException).code;
    if ((code === 'ECONNRESET' || code === 'EPIPE') && headBytes(req) > maxHeaderSize) return 'refused by the HTTP parser';
    throw error;
  }
  // Node's own parser answers what is not HTTP (a 20 KB header) before any
  // function runs, with an empty 400/431 and no request id; Cloud Run's front
  // end would refuse those too. Anything else must be the function's answer.
  const bare = Object.keys(res.headers).join() === 'connection' && res.headers.connection === 'close';
  if ((res.status === 400 || res.status === 431) && res.body.length === 0 && bare) return 'refused by the HTTP parser';
  return res;
}

let requestsSent = 0;
let refusedByParser = 0;
async function checkedCall(req: RawRequest): Promise<void> {
  const before = stateOf(api);
  requestsSent++;
  const res = await call(req);
  if (res === 'refused by the HTTP parser') {
    refusedByParser++;
    expect(stateOf(api)).toBe(before);
    return;
  }
  const problems = answerProblems(req, res);
  if (res.status < 200 || res.status >= 300) {
    if (stateOf(api) !== before) problems.push('a refused request changed records, sessions, objects or usage');
  }
  if (problems.length)
    throw new Error(`${req.method} ${req.path} -> ${res.status} ${res.body.toString('utf8').slice(0, 300)}\n${problems.join('\n')}`);
}

beforeAll(async () => {
  api = await startInProcessApi();
  // Files of both organizations, in several states, for the generators to aim at.
  const open = async (key: string, org: string) => {
    const res = await send(api.url, {
      method: 'POST',
      path: `/v1/organizations/${org}/files/upload-url`,
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify({ filename: 'seed.txt', file_size: 5, mime_type: 'text/plain' })),
    });
    expect(res.status).toBe(200);
    return JSON.parse(res.body.toString()) as { file_id: string; gcs_path: string };
  };
  for (let i = 0; i < 3; i++) fileIds.push((await open(KEYS.active, ORG_A)).file_id);
  fileIds.push((await open(KEYS.other, ORG_B)).file_id);
  const uploaded = await open(KEYS.active, ORG_A);
  api.backends.putObject(uploaded.gcs_path, Buffer.from('hello'), 'text/plain');
  fileIds.push(uploaded.file_id);
  fileIds.push('file_' + 'x'.repeat(24), 'file_', 'file_../x');
});

afterAll(async () => {
  closeAgent();
  await api?.close();
  console.log(`api fuzz: ${requestsSent} requests (${refusedByParser} refused by Node's HTTP parser before the function), seed ${seed}`);
});

describe('hostile requests to the files API, in process', () => {
  it(`answers every one in the envelope (or its success schema), never 5xx, and a refusal changes nothing (${RUNS} runs)`, async () => {
    await fc.assert(fc.asyncProperty(hostileRequest(fileIds), checkedCall), { numRuns: RUNS, seed, endOnFailure: true });
    expect(recordProblems(api)).toEqual([]);
  });

  it('answers an unknown route or a bad %-escape in the path with 404 NOT_FOUND in the envelope', async () => {
    const paths = fc.oneof(
      fc.constantFrom(
        '/favicon.ico',
        '/favicon.ico/',
        '/FAVICON.ICO',
        '/robots.txt',
        '/robots.txt/x',
        `/favicon.ico/v1/organizations/${ORG_A}/files`,
        '/',
        '/v1',
        '/v1/organizations',
        `/v1/organizations/${ORG_A}`,
        `/v1/organizations/${ORG_A}/file`,
        `/v1/organizations/${ORG_A}/files/a/b/c`,
        `/v1/organizations/%zz/files`,
        `/v1/organizations/${ORG_A}/files/%`,
        `/v1/organizations/${ORG_A}/files/%E0%A4%A`,
        '/%',
        '/%%30',
      ),
      fc.string({ unit: fc.constantFrom('a', '/', '.', '%', '2', 'e', 'F', 'z'), maxLength: 30 }).map((p) => `/x${p}`),
    );
    await fc.assert(
      fc.asyncProperty(paths, fc.constantFrom('GET', 'POST', 'DELETE'), async (path, method) => {
        const req: RawRequest = { method, path, headers: { 'x-api-key': KEYS.active } };
        const res = await send(api.url, req);
        expect(answerProblems(req, res)).toEqual([]);
        expect({ path, status: res.status, code: JSON.parse(res.body.toString()).error?.code }).toEqual({
          path,
          status: 404,
          code: 'NOT_FOUND',
        });
      }),
      { numRuns: Math.max(500, Math.floor(RUNS / 16)), seed },
    );
  });

  it('refuses with 400 any field that is not well-formed Unicode, and keeps bidi and invisible controls out of object names', async () => {
    await fc.assert(
      fc.asyncProperty(hostileText, fc.constantFrom('filename', 'mime_type', 'crc32c', 'md5_hash'), async (text, field) => {
        const body: Record<string, unknown> = { filename: 'a.txt', file_size: 10, mime_type: 'text/plain', [field]: text };
        const req: RawRequest = {
          method: 'POST',
          path: `/v1/organizations/${ORG_A}/files/upload-url`,
          headers: { 'x-api-key': KEYS.active, 'content-type': 'application/json' },
          body: Buffer.from(JSON.stringify(body)),
        };
        await checkedCall(req);
        if (LONE_SURROGATE.test(text)) expect((await send(api.url, req)).status).toBe(400);
        expect(recordProblems(api)).toEqual([]);
      }),
      { numRuns: Math.max(1000, Math.floor(RUNS / 8)), seed },
    );
  });

  it('keeps its heap flat across thousands of hostile requests (sampled after GC)', async () => {
    const seeded = { files: new Set(api.backends.files.keys()), sessions: new Set(api.backends.sessions.keys()) };
    // The in-memory double keeps what succeeded and a log of calls: drop them, so only the API's own memory is measured.
    const forgetDoubleState = () => {
      for (const k of api.backends.files.keys()) if (!seeded.files.has(k)) api.backends.files.delete(k);
      for (const k of api.backends.sessions.keys()) if (!seeded.sessions.has(k)) api.backends.sessions.delete(k);
      api.backends.calls.length = 0;
      api.backends.claims.clear();
    };
    const batches = 8;
    const perBatch = Math.max(400, Math.floor(RUNS / 16));
    const samples: number[] = [];
    const sample = fc.sample(hostileRequest(fileIds), { numRuns: perBatch, seed });
    for (let b = 0; b < batches; b++) {
      for (const req of sample) await call(req);
      requestsSent += sample.length;
      forgetDoubleState();
      samples.push(heapAfterGc());
    }
    // The first batches warm caches and JIT; after them, growth must be noise, not a per-request leak.
    // Lowest of the last three against lowest of batches 2-4: a leak grows every batch, noise does not.
    const growth = Math.min(...samples.slice(-3)) - Math.min(...samples.slice(1, 4));
    const perRequest = growth / ((batches - 3) * perBatch);
    console.log(
      `api fuzz heap after GC (MiB): ${samples.map((s) => (s / 2 ** 20).toFixed(2)).join(' ')}; ${perRequest.toFixed(1)} B/request`,
    );
    // A leak of what a request carries (headers, body, context) is kilobytes each; caches that settle are tens of bytes.
    expect(perRequest).toBeLessThan(256);
  });

  it("answers every organization segment as the same 403 or 404, never another organization's data", async () => {
    await fc.assert(
      fc.asyncProperty(orgSegment, async (org) => {
        const req: RawRequest = { method: 'GET', path: `/v1/organizations/${org}/files`, headers: { 'x-api-key': KEYS.active } };
        const res = await send(api.url, req);
        expect(answerProblems(req, res)).toEqual([]);
        if (org !== ORG_A && org !== '%6Frg_a' && org !== 'org%5Fa') {
          expect([403, 404]).toContain(res.status);
          expect(res.body.toString()).not.toContain(fileIds[3]);
        }
      }),
      { numRuns: 200, seed },
    );
  });
});
