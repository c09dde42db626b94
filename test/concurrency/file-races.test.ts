import { startStack, type Stack } from '../support/stack';
import { auditState } from '../faults/support/audit';
import { sessionGraceMs } from '../../functions/domain/session-grace';

// Many simultaneous register, delete, finalize-event and sweeper calls on the
// same files, on the emulators: the final state of each file is one the state
// machine allows, usage counters equal the records, nothing is left half-made,
// and every caller's answer agrees with where the file ended.
jest.setTimeout(120_000);
const BACKEND_TIMEOUT_MS = 5000;
let stack: Stack;

beforeAll(async () => {
  stack = await startStack(__filename, { BACKEND_TIMEOUT_MS: String(BACKEND_TIMEOUT_MS) }, ['files', 'finalize', 'sweep']);
});
afterAll(() => stack?.close());

interface File {
  id: string;
  gcsPath: string;
  uploadUrl: string;
  bytes: Buffer;
  stored: boolean;
}

const headers = () => ({ 'X-API-Key': stack.apiKey, 'Content-Type': 'application/json' });
const filesUrl = () => `${stack.api.url}/v1/organizations/${stack.organizationId}/files`;

async function newFile(i: number, stored: boolean): Promise<File> {
  const bytes = Buffer.alloc(1000 + i, i);
  const res = await fetch(stack.uploadUrl(), {
    method: 'POST',
    headers: headers(),
    body: JSON.stringify({ filename: `race-${i}.bin`, file_size: bytes.length, mime_type: 'application/octet-stream' }),
  });
  expect(res.status).toBe(200);
  const s = (await res.json()) as { file_id: string; gcs_path: string; upload_url: string };
  if (stored) expect((await fetch(s.upload_url, { method: 'PUT', body: bytes })).status).toBe(200);
  return { id: s.file_id, gcsPath: s.gcs_path, uploadUrl: s.upload_url, bytes, stored };
}

const register = (f: File) =>
  fetch(filesUrl(), {
    method: 'POST',
    headers: headers(),
    body: JSON.stringify({
      filename: f.gcsPath.split('/').pop(),
      gcs_path: f.gcsPath,
      file_size: f.bytes.length,
      mime_type: 'application/octet-stream',
    }),
  });
const remove = (f: File) => fetch(`${filesUrl()}/${f.id}`, { method: 'DELETE', headers: { 'X-API-Key': stack.apiKey } });
const finalizeEvent = (f: File, n: number) =>
  fetch(stack.api.urls.finalize as string, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'ce-specversion': '1.0',
      'ce-type': 'google.cloud.storage.object.v1.finalized',
      'ce-source': `//storage.googleapis.com/projects/_/buckets/${stack.bucket}`,
      'ce-id': `${f.id}-${n}`,
    },
    body: JSON.stringify({ bucket: stack.bucket, name: f.gcsPath }),
  });
const sweep = () => fetch(stack.api.urls.sweep as string, { method: 'POST' });

/** One sweep that completes (a slow backend may make one answer 503; the next run finishes the work). */
async function sweepToCompletion(): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const res = await sweep();
    if (res.status === 200) return;
    expect(res.status).toBe(503);
    if (attempt >= 5) throw new Error('the sweeper never completed a run');
  }
}

type Answers = { register: number[]; delete: number[]; finalize: number[] };

/** Where a file may end, by whether its bytes were stored and whether its session had expired when the race began. */
function legalFinal(f: File, expired: boolean): string[] {
  if (f.stored) return ['uploaded', 'cancelled', 'deleted'];
  return expired ? ['expired', 'cancelled', 'deleted'] : ['uploading', 'cancelled', 'deleted'];
}

function answerProblems(f: File, final: string, a: Answers): string[] {
  const problems: string[] = [];
  const all = [...a.register, ...a.delete, ...a.finalize];
  // 503 is an honest answer from a backend too slow for its deadline (the machine is shared): it promises nothing either way.
  if (all.some((s) => s >= 500 && s !== 503)) problems.push('a 5xx other than 503');
  if (a.register.filter((s) => s === 201).length > 1) problems.push('two registers both completed it');
  if (a.register.some((s) => s === 200 || s === 201) && !['uploaded', 'deleted'].includes(final))
    problems.push(`a register succeeded, yet it is ${final}`);
  if (!f.stored && a.register.some((s) => s < 300)) problems.push('registered without its bytes');
  if (a.delete.some((s) => s === 204) && !['cancelled', 'deleted'].includes(final)) problems.push(`a delete succeeded, yet it is ${final}`);
  if (a.delete.some((s) => s !== 204 && s !== 404 && s !== 503)) problems.push(`delete answered ${a.delete}`);
  if (a.delete.some((s) => s === 404) && final !== 'deleted') problems.push(`a delete found no file, yet it is ${final}`);
  if (a.register.some((s) => ![200, 201, 404, 409, 503].includes(s))) problems.push(`register answered ${a.register}`);
  if (a.finalize.some((s) => (s < 200 || s >= 300) && s !== 503)) problems.push(`finalize answered ${a.finalize}`);
  return problems;
}

async function race(round: string, expired: boolean): Promise<Record<string, number>> {
  const files = await Promise.all(Array.from({ length: 12 }, (_, i) => newFile(i, i % 4 !== 0)));
  if (expired) {
    // A week passes: the records' sessions are past their deadline, so the sweeper takes part.
    const past = new Date(Date.now() - 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    await Promise.all(files.map((f) => stack.db.doc(`organizations/${stack.organizationId}/files/${f.id}`).update({ expires_at: past })));
  }
  // Every mix of callers: 1-3 registers, 0-2 deletes, 0-1 finalize events per file, in one burst.
  const times = <T>(n: number, call: (k: number) => Promise<T>) => Promise.all(Array.from({ length: n }, (_, k) => call(k)));
  const perFile = files.map((f, i) => ({
    register: times(1 + (i % 3), () => register(f)),
    delete: times(Math.floor(i / 3) % 3, () => remove(f)),
    finalize: times(Math.floor(i / 2) % 2, (k) => finalizeEvent(f, k)),
  }));
  const sweeps = Promise.all([sweep(), sweep()]);
  const answers: Answers[] = await Promise.all(
    perFile.map(async (p) => ({
      register: (await p.register).map((r) => r.status),
      delete: (await p.delete).map((r) => r.status),
      finalize: (await p.finalize).map((r) => r.status),
    })),
  );
  for (const r of await sweeps) expect([200, 503]).toContain(r.status);
  const finals: Record<string, number> = {};
  const problems: string[] = [];
  for (const [i, f] of files.entries()) {
    const final = (await stack.db.doc(`organizations/${stack.organizationId}/files/${f.id}`).get()).get('status') as string;
    finals[final] = (finals[final] ?? 0) + 1;
    if (!legalFinal(f, expired).includes(final)) problems.push(`${round} file ${i} (${f.stored ? 'stored' : 'no bytes'}) ended ${final}`);
    for (const p of answerProblems(f, final, answers[i]))
      problems.push(`${round} file ${i} (${final}): ${p} ${JSON.stringify(answers[i])}`);
  }
  expect(problems).toEqual([]);
  return finals;
}

describe('racing calls on the same files', () => {
  it('end in legal states with exact counters, and every answer agrees', async () => {
    const live = await race('live sessions', false);
    const expired = await race('expired sessions', true);
    console.log(`file races: final states ${JSON.stringify({ live, expired })}`);
    // Storage settles what the records decided (cancels, removals run after the answer): give it the grace, then audit.
    await new Promise((r) => setTimeout(r, sessionGraceMs(BACKEND_TIMEOUT_MS)));
    await sweepToCompletion();
    const dataDir = process.env.TEST_STORAGE_DATA_DIR as string;
    const audit = await auditState({
      db: stack.db,
      storage: stack.storage,
      bucket: stack.bucket,
      dataDir,
      graceMs: sessionGraceMs(BACKEND_TIMEOUT_MS),
    });
    expect(audit.problems).toEqual([]);
  });
});
