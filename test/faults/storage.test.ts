import { randomBytes } from 'node:crypto';
import { BACKEND_TIMEOUT_MS, FaultStack, chunkedUpload, pause } from './support/fault-stack';
import { badOutcomes, tally, uploadUrlTraffic } from './support/traffic';

// The storage emulator frozen (SIGSTOP) and killed (SIGKILL, restarted on its
// port with its data) under sustained upload-url traffic and in the middle of
// chunked uploads by the official client: callers see 200 or 503 with
// Retry-After, uploads resume and complete, and after one sweep the audit finds
// no half-made state.
jest.setTimeout(180_000);
const stack = new FaultStack('test-faults-storage');
const HANG_MS = 10 * BACKEND_TIMEOUT_MS;

beforeAll(() => stack.start());
afterAll(() => stack.close());

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

async function registered(session: { gcs_path: string }, bytes: Buffer): Promise<number> {
  const res = await fetch(stack.filesUrl(), {
    method: 'POST',
    headers: { 'X-API-Key': stack.apiKey, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      filename: 'chunked.bin',
      gcs_path: session.gcs_path,
      file_size: bytes.length,
      mime_type: 'application/octet-stream',
    }),
  });
  return res.status;
}

/** Resolves once the emulator has persisted at least `bytes` of the session (its own 308 says so). */
async function persistedAtLeast(uploadUrl: string, bytes: number): Promise<void> {
  for (;;) {
    const res = await fetch(uploadUrl, { method: 'PUT', headers: { 'Content-Range': 'bytes */*' } });
    const range = res.headers.get('range');
    if (res.status === 200 || (range && Number(range.split('-')[1]) + 1 >= bytes)) return;
    await pause(20);
  }
}

describe('storage fails under load', () => {
  it('frozen for three deadlines during sustained upload-url traffic', async () => {
    const traffic = uploadUrlTraffic(stack.uploadUrl(), stack.apiKey, { workers: 4, hangMs: HANG_MS });
    await traffic.nextSuccess();
    stack.freeze('storage');
    await pause(3 * BACKEND_TIMEOUT_MS);
    stack.thaw('storage');
    await traffic.nextSuccess();
    const outcomes = await traffic.stop();
    console.log(`storage frozen: ${JSON.stringify(tally(outcomes))}`);
    expect(badOutcomes(outcomes)).toEqual([]);
    expect(outcomes.some((o) => o.status === 503)).toBe(true);
    const audit = await stack.settleAndAudit();
    console.log(`storage frozen, audit: ${JSON.stringify({ ...audit, problems: audit.problems.length })}`);
    expect(audit.problems).toEqual([]);
  });

  it('killed and restarted during sustained upload-url traffic', async () => {
    const traffic = uploadUrlTraffic(stack.uploadUrl(), stack.apiKey, { workers: 4, hangMs: HANG_MS });
    await traffic.nextSuccess();
    await stack.kill('storage');
    await pause(2 * BACKEND_TIMEOUT_MS);
    await stack.restart('storage');
    await traffic.nextSuccess();
    const outcomes = await traffic.stop();
    console.log(`storage killed: ${JSON.stringify(tally(outcomes))}`);
    expect(badOutcomes(outcomes)).toEqual([]);
    expect(outcomes.some((o) => o.status === 503)).toBe(true);
    const audit = await stack.settleAndAudit();
    console.log(`storage killed, audit: ${JSON.stringify({ ...audit, problems: audit.problems.length })}`);
    expect(audit.problems).toEqual([]);
  });

  it('frozen, then killed and restarted, in the middle of chunked uploads: the client resumes, the files register', async () => {
    const bytes = [randomBytes(1_600_000), randomBytes(1_100_000)];
    const sessions = await Promise.all(bytes.map(openSession));
    const uploads = Promise.all(sessions.map((s, i) => chunkedUpload(stack.storage, stack.bucket, s, bytes[i])));
    await persistedAtLeast(sessions[0].upload_url, 256 * 1024);
    stack.freeze('storage');
    await pause(2 * BACKEND_TIMEOUT_MS);
    stack.thaw('storage');
    await persistedAtLeast(sessions[0].upload_url, 3 * 256 * 1024);
    await stack.kill('storage');
    await pause(BACKEND_TIMEOUT_MS);
    await stack.restart('storage');
    const resumes = await uploads;
    console.log(`chunked uploads across a freeze and a kill: resumed ${resumes.join(', ')} times`);
    for (const [i, s] of sessions.entries()) {
      expect(await registered(s, bytes[i])).toBe(201);
      const [stored] = await stack.storage.bucket(stack.bucket).file(s.gcs_path).download();
      expect(stored.equals(bytes[i])).toBe(true);
    }
    const audit = await stack.settleAndAudit();
    expect(audit.problems).toEqual([]);
  });
});
