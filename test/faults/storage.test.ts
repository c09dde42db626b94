import { randomBytes } from 'node:crypto';
import { BACKEND_TIMEOUT_MS, FaultStack, chunkedUpload, pause } from './support/fault-stack';
import { expectCleanAcross } from './support/traffic';

// The storage emulator frozen (SIGSTOP) and killed (SIGKILL, restarted on its
// port with its data) under sustained upload-url traffic and in the middle of
// chunked uploads by the official client: callers see 200 or 503 with
// Retry-After, uploads resume and complete, and after one sweep the audit finds
// no half-made state.
jest.setTimeout(180_000);
const stack = new FaultStack('test-faults-storage');

beforeAll(() => stack.start());
afterAll(() => stack.close());

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
  it('frozen for three deadlines during sustained upload-url traffic', () =>
    expectCleanAcross(stack, 'storage frozen', async () => {
      stack.freeze('storage');
      await pause(3 * BACKEND_TIMEOUT_MS);
      stack.thaw('storage');
    }));

  it('killed and restarted during sustained upload-url traffic', () =>
    expectCleanAcross(stack, 'storage killed', async () => {
      await stack.kill('storage');
      await pause(2 * BACKEND_TIMEOUT_MS);
      await stack.restart('storage');
    }));

  it('frozen, then killed and restarted, in the middle of chunked uploads: the client resumes, the files register', async () => {
    const bytes = [randomBytes(1_600_000), randomBytes(1_100_000)];
    const sessions = await Promise.all(bytes.map((b) => stack.openSession(b)));
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
      expect((await stack.register(s, bytes[i])).status).toBe(201);
      const [stored] = await stack.storage.bucket(stack.bucket).file(s.gcs_path).download();
      expect(stored.equals(bytes[i])).toBe(true);
    }
    const audit = await stack.settleAndAudit();
    expect(audit.problems).toEqual([]);
  });
});
