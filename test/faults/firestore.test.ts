import { randomBytes } from 'node:crypto';
import { BACKEND_TIMEOUT_MS, FaultStack, chunkedUpload, pause } from './support/fault-stack';
import { expectCleanAcross } from './support/traffic';

// Firestore frozen (SIGSTOP) and killed (SIGKILL, restarted) under sustained
// upload-url traffic and beside chunked uploads: callers see 200 or 503 with
// Retry-After, never 500, never a hang; after recovery and one sweep the audit
// finds no half-made state.
jest.setTimeout(180_000);
const stack = new FaultStack('test-faults-firestore');

beforeAll(() => stack.start());
afterAll(() => stack.close());

describe('Firestore fails under load', () => {
  it('frozen for three deadlines during sustained upload-url traffic', () =>
    expectCleanAcross(stack, 'firestore frozen', async () => {
      stack.freeze('firestore');
      await pause(3 * BACKEND_TIMEOUT_MS);
      stack.thaw('firestore');
    }));

  it('frozen while chunked uploads run: the bytes still arrive, register answers 503 then 201', async () => {
    const bytes = [randomBytes(1_300_000), randomBytes(900_000), randomBytes(600_000)];
    const sessions = await Promise.all(bytes.map((b) => stack.openSession(b)));
    const uploads = Promise.all(sessions.map((s, i) => chunkedUpload(stack.storage, stack.bucket, s, bytes[i])));
    stack.freeze('firestore');
    await uploads;
    const during = await stack.register(sessions[0], bytes[0]);
    expect(during.status).toBe(503);
    expect(during.headers.get('retry-after')).toMatch(/^\d+$/);
    stack.thaw('firestore');
    for (const [i, s] of sessions.entries()) expect((await stack.register(s, bytes[i])).status).toBe(201);
    const audit = await stack.settleAndAudit();
    expect(audit.problems).toEqual([]);
  });

  it('killed and restarted during sustained upload-url traffic', () =>
    expectCleanAcross(stack, 'firestore killed', async () => {
      await stack.kill('firestore');
      // The emulator keeps records in memory only: what storage holds now, its records die with it.
      const forgotten = await stack.storageHoldings();
      await pause(2 * BACKEND_TIMEOUT_MS);
      await stack.restart('firestore');
      return forgotten;
    }));
});
