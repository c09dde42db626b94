import { MemoryBackends } from '../../functions/adapters/in-memory';
import { loadConfig } from '../../functions/config';
import { BackendUnavailable } from '../../functions/domain/backend-unavailable';
import { BackgroundWork } from '../../functions/domain/background-work';
import { ApiError } from '../../functions/errors/api-error';
import { createUploadUrl } from '../../functions/endpoints/upload-url/create-upload-url';

const caller = { principalId: 'usr_1', keyId: 'key_1' };
const body = { filename: 'a.bin', file_size: 1000, mime_type: 'application/octet-stream' };

function setup(latencyMs = 0) {
  const backends = new MemoryBackends(latencyMs);
  const failures: string[] = [];
  const deps = {
    config: loadConfig({ FILES_BUCKET: 'bkt' }),
    records: backends,
    sessions: backends,
    quotas: backends,
    background: new BackgroundWork((what) => failures.push(what)),
  };
  const call = (b: unknown = body, idempotencyKey?: string) =>
    createUploadUrl(deps, { organizationId: 'org_1', caller, body: b, idempotencyKey });
  return { backends, call, failures, background: deps.background };
}

const settle = () => new Promise((r) => setTimeout(r, 30));

describe('upload-url critical path', () => {
  it('reads the quota while it starts the session and then writes the record with its URI', async () => {
    const { backends, call } = setup(10);
    const answer = await call();
    expect(backends.calls.slice(0, 2).sort()).toEqual(['createSession', 'usage']);
    expect(backends.calls.slice(2)).toEqual(['createUploading']);
    expect(backends.maxInFlight).toBeGreaterThanOrEqual(2);
    expect(backends.files.get(`org_1/${answer.file_id}`)?.session_uri).toBe(answer.upload_url);
  });
});

describe('upload-url compensation', () => {
  it('cancels the session when the record cannot be written', async () => {
    const { backends, call } = setup();
    backends.failures.set('createUploading', new BackendUnavailable('firestore'));
    await expect(call()).rejects.toBeInstanceOf(BackendUnavailable);
    await settle();
    expect(backends.sessions.size).toBe(1);
    expect([...backends.cancelled]).toEqual([...backends.sessions.keys()]);
  });

  it('writes no record, and reserves nothing, when the session cannot be started', async () => {
    const { backends, call } = setup();
    backends.failures.set('createSession', new BackendUnavailable('storage'));
    await expect(call()).rejects.toBeInstanceOf(BackendUnavailable);
    await settle();
    expect(backends.files.size).toBe(0);
    expect(backends.calls).not.toContain('createUploading');
    expect((await backends.usage('org_1')).usage).toEqual({ openSessions: 0, storedBytes: 0 });
  });

  it('writes no record and cancels its session when the usage cannot be read', async () => {
    const { backends, call } = setup();
    backends.failures.set('usage', new BackendUnavailable('firestore'));
    await expect(call()).rejects.toBeInstanceOf(BackendUnavailable);
    await settle();
    expect(backends.files.size).toBe(0);
    expect([...backends.cancelled]).toEqual([...backends.sessions.keys()]);
    expect(backends.cancelled.size).toBe(1);
    backends.failures.delete('usage');
    expect((await backends.usage('org_1')).usage).toEqual({ openSessions: 0, storedBytes: 0 });
  });

  // A frozen backend can apply a write after the client's deadline made the call settle.
  function writeLandingLate(
    backends: MemoryBackends,
    order: 'after the call settled' | 'before the call settled' | 'after the client gave up on it',
  ) {
    const write = backends.createUploading.bind(backends);
    let landed: Promise<unknown> = Promise.resolve();
    backends.createUploading = (record, claim) => {
      let settle!: () => void;
      const late = new Promise<never>((_, reject) => (settle = () => reject(new Error('DEADLINE_EXCEEDED'))));
      if (order === 'after the client gave up on it') {
        // The client's own deadline: no call left running, and still the backend applies it later.
        landed = new Promise((r) => setTimeout(r, 15)).then(() =>
          write(record, claim).then(
            () => 'landed',
            (e: unknown) => e,
          ),
        );
        return Promise.reject(new BackendUnavailable('firestore', Object.assign(new Error('DEADLINE_EXCEEDED'), { code: 4 })));
      }
      if (order === 'after the call settled') {
        setTimeout(settle, 5);
        landed = new Promise((r) => setTimeout(r, 15)).then(() =>
          write(record, claim).then(
            () => 'landed',
            (e: unknown) => e,
          ),
        );
      } else {
        landed = write(record, claim).then(
          () => 'landed',
          (e: unknown) => e,
        );
        void landed.then(() => setTimeout(settle, 5));
      }
      return Promise.reject(new BackendUnavailable('firestore', undefined, late));
    };
    return () => landed;
  }

  it.each(['after the call settled', 'before the call settled', 'after the client gave up on it'] as const)(
    'a record write that lands %s ends failed, its reservation released, its session cancelled',
    async (order) => {
      const { backends, call } = setup();
      const landed = writeLandingLate(backends, order);
      await expect(call(body, 'late-key')).rejects.toBeInstanceOf(BackendUnavailable);
      await new Promise((r) => setTimeout(r, 40));
      const outcome = await landed();
      expect(backends.files.size).toBe(1);
      const [record] = backends.files.values();
      expect(record).toMatchObject({ status: 'failed', leftovers: true });
      expect((await backends.usage('org_1')).usage).toEqual({ openSessions: 0, storedBytes: 0 });
      expect([...backends.cancelled]).toEqual([record.session_uri]);
      if (order !== 'before the call settled') {
        // The fence came first: the late create failed, and its claim with it, so the key can be used again.
        expect(outcome).toMatchObject({ code: 6 });
        expect(backends.claims.size).toBe(0);
      } else expect(outcome).toBe('landed');
    },
  );

  it('reports a failed compensation instead of dropping it', async () => {
    const { backends, call, failures } = setup();
    backends.failures.set('createUploading', new BackendUnavailable('firestore'));
    backends.failures.set('cancelSession', new BackendUnavailable('storage'));
    await expect(call()).rejects.toBeInstanceOf(BackendUnavailable);
    await settle();
    expect(failures).toEqual(['cancel orphaned session']);
  });
});

describe('Idempotency-Key', () => {
  it('returns the same session for the same key and body', async () => {
    const { backends, call } = setup();
    const first = await call(body, 'retry-1');
    const second = await call(body, 'retry-1');
    expect(second).toEqual(first);
    await settle();
    expect(backends.files.size).toBe(1);
    // The replay's own session was cancelled, never handed out.
    expect(backends.sessions.size).toBe(2);
    expect(backends.cancelled.size).toBe(1);
    expect(backends.cancelled.has(first.upload_url)).toBe(false);
  });

  it('refuses the same key with another body', async () => {
    const { call } = setup();
    await call(body, 'retry-2');
    const error = await call({ ...body, file_size: 1001 }, 'retry-2').catch((e: ApiError) => e);
    expect(error).toMatchObject({ status: 409, code: 'IDEMPOTENCY_KEY_REUSED' });
  });

  it('treats keys of different callers as different', async () => {
    const { backends, call, background } = setup();
    const first = await call(body, 'shared');
    const other = await createUploadUrl(
      { config: loadConfig({ FILES_BUCKET: 'bkt' }), records: backends, sessions: backends, quotas: backends, background },
      { organizationId: 'org_1', caller: { principalId: 'usr_2', keyId: 'key_2' }, body, idempotencyKey: 'shared' },
    );
    expect(other.file_id).not.toBe(first.file_id);
  });

  it('tries again when the first attempt under the key failed', async () => {
    const { backends, call } = setup();
    backends.failures.set('createSession', new BackendUnavailable('storage'));
    await expect(call(body, 'retry-3')).rejects.toBeInstanceOf(BackendUnavailable);
    await settle();
    backends.failures.delete('createSession');
    const answer = await call(body, 'retry-3');
    expect(backends.files.get(`org_1/${answer.file_id}`)?.status).toBe('uploading');
  });

  it('gives concurrent requests with one key one session', async () => {
    const { backends, call } = setup(5);
    const answers = await Promise.all(Array.from({ length: 5 }, () => call(body, 'burst')));
    expect(new Set(answers.map((a) => a.upload_url)).size).toBe(1);
    await settle();
    expect(backends.files.size).toBe(1);
  });
});

describe('Idempotency-Key when the record cannot be written', () => {
  it('undoes the attempt, so a retry under the key starts afresh instead of waiting for a URI that never comes', async () => {
    const { backends, call } = setup();
    backends.failures.set('createUploading', new BackendUnavailable('firestore'));
    await expect(call(body, 'retry-4')).rejects.toBeInstanceOf(BackendUnavailable);
    await settle();
    expect(backends.files.size).toBe(0);
    expect(backends.cancelled.size).toBe(1);
    backends.failures.delete('createUploading');
    const answer = await call(body, 'retry-4');
    expect(backends.files.get(`org_1/${answer.file_id}`)?.session_uri).toBe(answer.upload_url);
  });

  it('treats a claim whose record never got its URI, long after any deadline, as abandoned', async () => {
    const { backends, call } = setup();
    const first = await call(body, 'retry-5');
    const key = `org_1/${first.file_id}`;
    const stale = { ...backends.files.get(key)!, session_uri: null, created_at: '2020-01-01T00:00:00Z' };
    backends.files.set(key, stale);
    const answer = await call(body, 'retry-5');
    expect(answer.file_id).not.toBe(first.file_id);
  });
});
