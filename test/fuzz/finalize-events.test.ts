import fc from 'fast-check';
import { startStack, type Stack } from '../support/stack';
import { answerProblems } from './support/answer-checks';
import { hostileText } from './support/hostile-requests';
import { closeAgent, send, type RawRequest } from './support/raw-http';
import { fuzzRuns, fuzzSeed } from './support/runs';

// The finalize function as deployed (functions/index.ts, functions-framework's
// CloudEvent wrapper, the body layer) on the emulators, fed events of every
// shape: binary, structured, legacy and not CloudEvents at all, with data whose
// name, bucket and generation are anything. Bad events get 400 in the envelope
// and nothing of the internals; no event moves a record without its object.
const RUNS = fuzzRuns(250, 20);
// A budget for a busy machine, not a measure.
jest.setTimeout(Math.max(300_000, RUNS * 2_000));
const seed = fuzzSeed();
let stack: Stack;
const seeded: { id: string; path: string }[] = [];
const output: string[] = [];
const writes = { out: process.stdout.write, err: process.stderr.write };

beforeAll(async () => {
  stack = await startStack(__filename, {}, ['files', 'finalize']);
  for (let i = 0; i < 2; i++) {
    const res = await fetch(stack.uploadUrl(), {
      method: 'POST',
      headers: { 'X-API-Key': stack.apiKey, 'Content-Type': 'application/json' },
      body: JSON.stringify({ filename: `seed-${i}.bin`, file_size: 10, mime_type: 'application/octet-stream' }),
    });
    expect(res.status).toBe(200);
    const { file_id, gcs_path } = (await res.json()) as { file_id: string; gcs_path: string };
    seeded.push({ id: file_id, path: gcs_path });
  }
  // Everything the functions print while fuzzed: every line must be the redacting logger's JSON.
  const capture = (stream: 'out' | 'err') =>
    ((chunk: unknown, ...rest: unknown[]) => {
      output.push(String(chunk));
      return (writes[stream] as (...a: unknown[]) => boolean).call(stream === 'out' ? process.stdout : process.stderr, chunk, ...rest);
    }) as typeof process.stdout.write;
  process.stdout.write = capture('out');
  process.stderr.write = capture('err');
});

afterAll(async () => {
  process.stdout.write = writes.out;
  process.stderr.write = writes.err;
  closeAgent();
  await stack?.close();
  console.log(`finalize fuzz: ${RUNS} events, seed ${seed}`);
});

const anyJson = fc.jsonValue({ maxDepth: 2 });
const objectName = () =>
  fc.oneof(
    fc.constantFrom(...seeded.map((s) => s.path)),
    fc.constantFrom(
      '',
      'files',
      'files/',
      'files/org_123',
      'files/org_123/file_x',
      'files/org_123/file_x/a.bin',
      'files/../file_x/a.bin',
      'files/./file_x/a',
      'files/__x__/file_abc/a.bin',
      'files/..%2F/file_abc/a',
      'files/org_123/file_abc/a/b',
      'files/org_123/../org_other/file_abc/a',
      'files/%2e%2e/file_abc/a',
      `files/${'o'.repeat(1500)}/file_abc/a`,
      'files/org_123/file_\u0000/a',
      'files/org_\ud800/file_abc/a',
      'files/ORG_123/file_abc/a',
      'other/org_123/file_abc/a.bin',
    ),
    hostileText.map((t) => `files/org_123/file_abc${t.replace(/\//g, '')}/${t}`),
  );

function eventRequest(): fc.Arbitrary<RawRequest> {
  const data = fc.record(
    {
      bucket: fc.oneof(fc.constant(stack.bucket), fc.constant(stack.bucket), fc.constant('another-bucket'), anyJson),
      name: fc.oneof(objectName(), objectName(), anyJson),
      generation: fc.oneof(fc.constantFrom('1', '0', '-1', '1e3', '99999999999999999999', ''), fc.integer(), anyJson),
      contentType: fc.constantFrom('application/octet-stream', 'x'),
    },
    { requiredKeys: [] },
  );
  const ceHeaders = fc.record(
    {
      'ce-specversion': fc.constantFrom('1.0', '1.0', '0.3', '', '2.0'),
      'ce-id': fc.constantFrom('1', '', 'x'.repeat(300)),
      'ce-source': fc.constantFrom('//storage.googleapis.com/projects/_/buckets/b', '', '%'),
      'ce-type': fc.constantFrom('google.cloud.storage.object.v1.finalized', 'other', ''),
      'ce-time': fc.constantFrom('2025-01-01T00:00:00Z', 'yesterday'),
      'ce-subject': fc.constantFrom('objects/a', ''),
    },
    { requiredKeys: [] },
  );
  const contentType = fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'text/plain',
    'application/cloudevents+json',
    'application/x-www-form-urlencoded',
  );
  const binary = fc
    .record({
      headers: ceHeaders,
      contentType,
      data: fc.oneof(
        data.map((d) => JSON.stringify(d)),
        fc.constantFrom('', '{', 'null', '[]', '"x"', '{"name":123}', '{"name":{"a":1}}', '{"name":null}'),
      ),
    })
    .map(({ headers, contentType, data: body }) => ({ headers: { ...headers, 'content-type': contentType }, body }));
  const structured = fc
    .record(
      {
        specversion: fc.constantFrom('1.0', '0.3', 1, null),
        id: fc.constantFrom('1', 1, null),
        source: fc.constantFrom('//storage.googleapis.com/projects/_/buckets/b', ''),
        type: fc.constantFrom('google.cloud.storage.object.v1.finalized', 'x'),
        data: fc.oneof(data, anyJson),
        datacontenttype: fc.constantFrom('application/json', 'text/plain'),
      },
      { requiredKeys: [] },
    )
    .map((event) => ({ headers: { 'content-type': 'application/cloudevents+json' }, body: JSON.stringify(event) }));
  // A legacy background event, as older triggers sent them, and requests that are no event at all.
  const legacy = fc
    .record(
      {
        context: fc.oneof(anyJson, fc.constant({ eventId: '1', eventType: 'google.storage.object.finalize', resource: {} })),
        data: fc.oneof(data, anyJson),
      },
      { requiredKeys: [] },
    )
    .map((event) => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) }));
  const noEvent = fc
    .record({
      contentType,
      body: fc.oneof(
        anyJson.map((v) => JSON.stringify(v)),
        fc.string({ maxLength: 50 }),
        fc.constant(''),
      ),
    })
    .map(({ contentType, body }) => ({ headers: { 'content-type': contentType }, body }));
  return fc
    .tuple(
      fc.oneof(binary, binary, structured, legacy, noEvent),
      fc.constantFrom('POST', 'POST', 'POST', 'GET', 'PUT'),
      fc.constantFrom('/', '/', '/x', '/favicon.ico'),
    )
    .map(([r, method, path]) => ({
      method,
      path,
      headers: { ...r.headers, 'content-length': String(Buffer.byteLength(r.body)) },
      body: Buffer.from(r.body),
    }));
}

const INTERNALS = /TypeError|ReferenceError|is not a function|Cannot read prop|at [\w.<>]+ \(|node_modules|\/functions\//;

describe('finalize: events of every shape', () => {
  it(`answers 2xx or a 4xx envelope at once, leaks no internals, and moves no record (${RUNS} events)`, async () => {
    await fc.assert(
      fc.asyncProperty(eventRequest(), async (req) => {
        const res = await send(stack.api.urls.finalize as string, req, 30_000);
        const text = res.body.toString('utf8');
        const problems =
          res.status >= 200 && res.status < 300 ? (res.status >= 500 ? ['5xx'] : []) : answerProblems({ ...req, path: '/finalize' }, res);
        if (INTERNALS.test(text)) problems.push('the answer carries internals');
        if (problems.length)
          throw new Error(
            `${req.method} ${req.path} ${JSON.stringify(req.headers)} ${req.body?.toString()} -> ${res.status} ${text.slice(0, 300)}\n${problems.join('\n')}`,
          );
      }),
      { numRuns: RUNS, seed, endOnFailure: true },
    );
    for (const s of seeded) {
      const doc = await stack.db.doc(`organizations/${stack.organizationId}/files/${s.id}`).get();
      expect(doc.get('status')).toBe('uploading');
    }
    const notJson = output.filter((line) => line.trim() && !line.trimStart().startsWith('{'));
    expect(notJson.slice(0, 5)).toEqual([]);
    expect(output.filter((line) => INTERNALS.test(line) && !line.includes('"error":')).slice(0, 5)).toEqual([]);
  });
});
