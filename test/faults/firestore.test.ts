import { randomBytes } from 'node:crypto';
import { BACKEND_TIMEOUT_MS, FaultStack, chunkedUpload, pause } from './support/fault-stack';
import { badOutcomes, tally, uploadUrlTraffic } from './support/traffic';

// Firestore frozen (SIGSTOP) and killed (SIGKILL, restarted) under sustained
// upload-url traffic and beside chunked uploads: callers see 200 or 503 with
// Retry-After, never 500, never a hang; after recovery and one sweep the audit
// finds no half-made state.
jest.setTimeout(180_000);
const stack = new FaultStack('test-faults-firestore');
const HANG_MS = 10 * BACKEND_TIMEOUT_MS;

beforeAll(() => stack.start());
afterAll(() => stack.close());

const register = (session: { gcs_path: string }, bytes: Buffer) =>
  fetch(stack.filesUrl(), {
    method: 'POST',
    headers: { 'X-API-Key': stack.apiKey, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      filename: 'chunked.bin',
      gcs_path: session.gcs_path,
      file_size: bytes.length,
      mime_type: 'application/octet-stream',
    }),
    signal: AbortSignal.timeout(HANG_MS),
  });

/** A session while the backends are up; a 503 (a backend slower than the 1 s deadline on a busy machine) is retried, as its Retry-After says. */
async function openSession(bytes: Buffer) {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(stack.uploadUrl(), {
      method: 'POST',
      headers: { 'X-API-Key': stack.apiKey, 'Content-Type': 'application/json' },
      body: JSON.stringify({ filename: 'chunked.bin', file_size: bytes.length, mime_type: 'application/octet-stream' }),
    });
    if (res.status === 200) return (await res.json()) as { upload_url: string; gcs_path: string; file_id: string };
    expect(res.status).toBe(503);
    if (attempt >= 10) throw new Error('upload-url kept answering 503 with the backends up');
    await pause(1000);
  }
}

describe('Firestore fails under load', () => {
  it('frozen for three deadlines during sustained upload-url traffic', async () => {
    const traffic = uploadUrlTraffic(stack.uploadUrl(), stack.apiKey, { workers: 4, hangMs: HANG_MS });
    await traffic.nextSuccess();
    stack.freeze('firestore');
    await pause(3 * BACKEND_TIMEOUT_MS);
    stack.thaw('firestore');
    await traffic.nextSuccess();
    const outcomes = await traffic.stop();
    console.log(`firestore frozen: ${JSON.stringify(tally(outcomes))}`);
    expect(badOutcomes(outcomes)).toEqual([]);
    expect(outcomes.some((o) => o.status === 503)).toBe(true);
    const audit = await stack.settleAndAudit();
    console.log(`firestore frozen, audit: ${JSON.stringify({ ...audit, problems: audit.problems.length })}`);
    expect(audit.problems).toEqual([]);
  });

  it('frozen while chunked uploads run: the bytes still arrive, register answers 503 then 201', async () => {
    const bytes = [randomBytes(1_300_000), randomBytes(900_000), randomBytes(600_000)];
    const sessions = await Promise.all(bytes.map(openSession));
    const uploads = Promise.all(sessions.map((s, i) => chunkedUpload(stack.storage, stack.bucket, s, bytes[i])));
    stack.freeze('firestore');
    await uploads;
    const during = await register(sessions[0], bytes[0]);
    expect(during.status).toBe(503);
    expect(during.headers.get('retry-after')).toMatch(/^\d+$/);
    stack.thaw('firestore');
    for (const [i, s] of sessions.entries()) expect((await register(s, bytes[i])).status).toBe(201);
    const audit = await stack.settleAndAudit();
    expect(audit.problems).toEqual([]);
  });

  it('killed and restarted during sustained upload-url traffic', async () => {
    const traffic = uploadUrlTraffic(stack.uploadUrl(), stack.apiKey, { workers: 4, hangMs: HANG_MS });
    await traffic.nextSuccess();
    await stack.kill('firestore');
    // The emulator keeps records in memory only: what storage holds now, its records die with it.
    const forgotten = await stack.storageHoldings();
    await pause(2 * BACKEND_TIMEOUT_MS);
    await stack.restart('firestore');
    await traffic.nextSuccess();
    const outcomes = await traffic.stop();
    console.log(`firestore killed: ${JSON.stringify(tally(outcomes))}`);
    expect(badOutcomes(outcomes)).toEqual([]);
    expect(outcomes.some((o) => o.status === 503)).toBe(true);
    const audit = await stack.settleAndAudit(forgotten);
    console.log(`firestore killed, audit: ${JSON.stringify({ ...audit, problems: audit.problems.length })}`);
    expect(audit.problems).toEqual([]);
  });
});
