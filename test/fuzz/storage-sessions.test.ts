import { Storage } from '@google-cloud/storage';
import { createHash, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { emulatorHosts } from '../support/stack';
import { closeAgent, send, type RawResponse } from './support/raw-http';
import { fuzzRuns, fuzzSeed } from './support/runs';

// The storage emulator's resumable sessions under arbitrary sequences of
// chunks, status queries, malformed Content-Range headers, wrong lengths and
// cancels, against a model of the protocol (GCS keeps whole 256 KiB units of a
// chunk that does not finish the object). Against the real emulator process.
const Q = 256 * 1024;
const RUNS = fuzzRuns(25, 100);
// A budget for a busy machine, not a measure.
jest.setTimeout(Math.max(300_000, RUNS * 2_000));
const seed = fuzzSeed();
const bucket = 'fuzz-storage-sessions';
const host = emulatorHosts().storage;
const storage = new Storage({ apiEndpoint: host, projectId: 'fuzz-storage' });
let requests = 0;

beforeAll(async () => {
  await storage.createBucket(bucket).catch((e: { code?: number }) => {
    if (e.code !== 409) throw e;
  });
});
afterAll(() => {
  closeAgent();
  console.log(`storage session fuzz: ${RUNS} sessions, ${requests} requests, seed ${seed}`);
});

type Action =
  | { kind: 'query'; total: 'star' | 'true' | 'wrong' }
  | { kind: 'chunk'; first: number; len: number; total: 'star' | 'true' | 'wrong' }
  | { kind: 'badRange'; header: string }
  | { kind: 'wrongLength'; extra: number }
  | { kind: 'cancel' };

const MALFORMED_RANGES = [
  '',
  ' ',
  'bytes',
  'bytes ',
  'bytes 0-',
  'bytes -1/10',
  'bytes 5-3/10',
  'bits 0-1/2',
  'bytes 0-1/2,3-4/5',
  'bytes 1e3-2/3',
  'bytes 0x0-1/2',
  'bytes 0-1/-2',
  'bytes */-1',
  'bytes 00000000000000000-1/2',
  'bytes 0-99999999999999999/*',
  'bytes=0-1/2',
  'bytes 0-1/2/3',
  'bytes \t0-1/2x',
  'bytes */',
  'bytes 1-2',
  '*/*',
  'bytes 0-1/1',
  'bytes 18446744073709551616-1/2',
];

const action: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('query' as const),
      total: fc.constantFrom('star' as const, 'true' as const, 'wrong' as const),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('chunk' as const),
      // Picks read against the state when the action runs: see `resolve`.
      first: fc.integer({ min: 0, max: 5 }),
      len: fc.integer({ min: 0, max: 5 }),
      total: fc.constantFrom('star' as const, 'true' as const, 'true' as const, 'wrong' as const),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('badRange' as const),
      header: fc.oneof(
        fc.constantFrom(...MALFORMED_RANGES),
        fc.string({ unit: fc.constantFrom('b', 'y', 't', 'e', 's', ' ', '*', '/', '-', '0', '1', '9', ','), maxLength: 24 }),
      ),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('wrongLength' as const), extra: fc.constantFrom(-1, 1, 7) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'cancel' as const }) },
);

interface Model {
  size: number;
  pinned: boolean;
  /** a total stated by a Content-Range (unpinned sessions) */
  declared?: number;
  persisted: number;
  complete: boolean;
  cancelled: boolean;
}

const known = (m: Model) => (m.pinned ? m.size : m.declared);

function resolveFirst(m: Model, pick: number): number {
  return [m.persisted, Math.max(0, m.persisted - Q), m.persisted + 1, 0, Math.min(m.size, m.persisted + Q), m.persisted][pick];
}
function resolveLen(m: Model, first: number, pick: number): number {
  const rest = m.size - first;
  return [Q, 2 * Q, 1, rest, rest + 1, Math.max(1, Math.floor(rest / 2))][pick];
}

type TotalForm = 'star' | 'true' | 'wrong';

/** A wrong total contradicts only a session that knows its total; before that it would declare another object. */
function effective(m: Model, form: TotalForm): TotalForm {
  return form === 'wrong' && known(m) === undefined ? 'star' : form;
}

function rangeTotal(m: Model, form: TotalForm): string {
  return form === 'star' ? '*' : form === 'true' ? String(m.size) : String(m.size + 1);
}

/** The persisted length an answer reports: 308's Range, or the whole object for 200. */
function persistedOf(res: RawResponse, m: Model): number {
  if (res.status === 200) return m.size;
  const range = res.headers.range;
  if (range === undefined) return 0;
  const match = /^bytes=0-(\d+)$/.exec(String(range));
  if (!match) throw new Error(`odd Range header ${range}`);
  return Number(match[1]) + 1;
}

async function put(uri: URL, headers: Record<string, string>, body?: Buffer): Promise<RawResponse> {
  requests++;
  return send(uri.origin, { method: 'PUT', path: uri.pathname + uri.search, headers, body });
}

/** What the model says a chunk leads to; undefined: a refusal (400) that changes nothing. */
function expectChunk(
  m: Model,
  first: number,
  len: number,
  totalForm: 'star' | 'true' | 'wrong',
): { status: 200 | 308 | 400; next?: Partial<Model> } {
  const stated = totalForm === 'star' ? undefined : totalForm === 'true' ? m.size : m.size + 1;
  const session = known(m);
  if (stated !== undefined && session !== undefined && stated !== session) return { status: 400 };
  if (stated !== undefined && stated < m.persisted) return { status: 400 };
  const total = session ?? stated;
  if (first > m.persisted) return { status: 400 };
  const last = first + len - 1;
  if (total !== undefined && last >= total) return { status: 400 };
  // As Cloud Storage does: a chunk that does not end the object must be at least 256 KiB.
  if (len < Q && !(total !== undefined && last === total - 1)) return { status: 400 };
  const end = Math.max(m.persisted, first + len);
  const declared = m.pinned ? undefined : (m.declared ?? stated);
  if (total !== undefined && end === total) return { status: 200, next: { persisted: end, complete: true, declared } };
  return { status: 308, next: { persisted: Math.max(m.persisted, Math.floor(end / Q) * Q), declared } };
}

describe('storage emulator: resumable sessions under arbitrary request sequences', () => {
  it(`never answers 5xx, keeps exactly what the protocol says, and the object is the bytes sent (${RUNS} sessions)`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(1, Q - 1, Q, Q + 1, 2 * Q + 7, 3 * Q),
        fc.boolean(),
        fc.array(action, { minLength: 1, maxLength: 12 }),
        async (size, pinned, actions) => {
          const content = randomBytes(size);
          const name = `fuzz/${randomBytes(6).toString('hex')}.bin`;
          requests++;
          const started = await send(host, {
            method: 'POST',
            path: `/upload/storage/v1/b/${bucket}/o?uploadType=resumable&name=${encodeURIComponent(name)}`,
            headers: { 'content-type': 'application/json', ...(pinned ? { 'x-upload-content-length': String(size) } : {}) },
            body: Buffer.from('{}'),
          });
          expect(started.status).toBe(200);
          const uri = new URL(String(started.headers.location));
          const m: Model = { size, pinned, persisted: 0, complete: false, cancelled: false };
          const log: string[] = [];
          const check = (res: RawResponse, expected: number, what: string) => {
            log.push(`${what} -> ${res.status}`);
            if (res.status >= 500 || res.status !== expected)
              throw new Error(`expected ${expected}: ${log.join('; ')} ${res.body.toString().slice(0, 200)}`);
          };
          for (const drawn of actions) {
            if (m.cancelled) break;
            const a: Action = drawn.kind === 'query' || drawn.kind === 'chunk' ? { ...drawn, total: effective(m, drawn.total) } : drawn;
            if (a.kind === 'cancel') {
              requests++;
              const res = await send(uri.origin, { method: 'DELETE', path: uri.pathname + uri.search, headers: {} });
              check(res, 499, 'cancel');
              m.cancelled = true;
              const after = await put(uri, { 'content-range': `bytes */${size}` });
              check(after, 404, 'query after cancel');
              break;
            }
            if (a.kind === 'query') {
              const res = await put(uri, { 'content-range': `bytes */${rangeTotal(m, a.total)}` });
              const stated = a.total === 'star' ? undefined : a.total === 'true' ? size : size + 1;
              const session = known(m);
              const refused = stated !== undefined && ((session !== undefined && stated !== session) || stated < m.persisted);
              if (m.complete) check(res, 200, `query ${a.total}`);
              else if (refused) check(res, 400, `query ${a.total}`);
              else {
                check(res, stated !== undefined && stated === m.persisted ? 200 : 308, `query ${a.total}`);
                if (!m.pinned && stated !== undefined) m.declared ??= stated;
                if (res.status === 200) m.complete = true;
              }
            } else if (a.kind === 'badRange') {
              const res = await put(uri, { 'content-range': a.header, 'content-length': '0' });
              log.push(`range ${JSON.stringify(a.header)} -> ${res.status}`);
              if (res.status >= 500) throw new Error(log.join('; '));
              // A header that happens to be valid is a status query or an empty chunk; resynchronize from the answer.
              if (res.status !== 400 && !m.complete) {
                expect([200, 308]).toContain(res.status);
                const reported = persistedOf(res, m);
                expect(reported).toBe(m.persisted);
              }
              if (res.status === 400 && m.complete) throw new Error(`a finalized session refused: ${log.join('; ')}`);
            } else if (a.kind === 'wrongLength') {
              if (m.complete) continue;
              const len = Math.min(Q, size - m.persisted);
              const body = content.subarray(m.persisted, m.persisted + len);
              const claimed = `bytes ${m.persisted}-${m.persisted + len - 1 + a.extra}/${known(m) ?? '*'}`;
              const res = await put(uri, { 'content-range': claimed }, body);
              check(res, 400, `wrong length ${claimed} with ${len} bytes`);
            } else {
              if (m.complete) continue;
              const first = resolveFirst(m, a.first);
              const len = resolveLen(m, first, a.len);
              // Past the end is refusable only once the session knows its total; before, it would be another object.
              const stated = a.total === 'star' ? known(m) : size;
              if (len <= 0 || first + len > size + (stated === undefined ? 0 : 1)) continue;
              const body = Buffer.alloc(len);
              content.copy(body, 0, first, Math.min(size, first + len));
              const header = `bytes ${first}-${first + len - 1}/${rangeTotal(m, a.total)}`;
              const expected = expectChunk(m, first, len, a.total);
              const res = await put(uri, { 'content-range': header }, body);
              check(res, expected.status, `chunk ${header}`);
              if (expected.next) Object.assign(m, expected.next);
            }
            // The session's own account always agrees with the model.
            if (!m.complete) {
              const status = await put(uri, { 'content-range': 'bytes */*' });
              check(status, 308, 'status');
              expect(persistedOf(status, m)).toBe(m.persisted);
            }
          }
          if (m.cancelled) return;
          if (!m.complete) {
            const res = await put(uri, { 'content-range': `bytes ${m.persisted}-${size - 1}/${size}` }, content.subarray(m.persisted));
            check(res, 200, 'the rest');
          }
          const [stored] = await storage.bucket(bucket).file(name).download();
          expect(createHash('sha256').update(stored).digest('hex')).toBe(createHash('sha256').update(content).digest('hex'));
        },
      ),
      { numRuns: RUNS, seed },
    );
  });
});
