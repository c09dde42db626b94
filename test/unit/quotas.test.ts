import { MemoryBackends } from '../../functions/adapters/in-memory';
import { loadConfig } from '../../functions/config';
import { BackgroundWork } from '../../functions/domain/background-work';
import { BackendUnavailable } from '../../functions/domain/backend-unavailable';
import { UsageChanged } from '../../functions/domain/ports';
import { reserveUpload } from '../../functions/domain/reserve-upload';
import { usageDelta } from '../../functions/domain/usage';
import { ApiError } from '../../functions/errors/api-error';
import { deleteFile } from '../../functions/endpoints/delete-file';
import { createUploadUrl } from '../../functions/endpoints/upload-url/create-upload-url';
import { record as fileRecord } from '../support/file-record';

describe('usageDelta', () => {
  it.each([
    [null, 'uploading', { openSessions: 1, storedBytes: 100 }],
    ['uploading', 'uploaded', { openSessions: -1, storedBytes: 0 }],
    ['uploading', 'failed', { openSessions: -1, storedBytes: -100 }],
    ['uploading', 'cancelled', { openSessions: -1, storedBytes: -100 }],
    ['uploading', 'expired', { openSessions: -1, storedBytes: -100 }],
    ['uploaded', 'deleted', { openSessions: 0, storedBytes: -100 }],
    ['failed', 'deleted', { openSessions: 0, storedBytes: 0 }],
    ['cancelled', 'deleted', { openSessions: 0, storedBytes: 0 }],
  ] as const)('%s -> %s', (from, to, delta) => {
    expect(usageDelta(from, to, 100)).toEqual(delta);
  });
});

function setup(latencyMs = 0) {
  const backends = new MemoryBackends(latencyMs);
  const deps = {
    config: loadConfig({ FILES_BUCKET: 'bkt' }),
    records: backends,
    sessions: backends,
    quotas: backends,
    background: new BackgroundWork(() => undefined),
  };
  const call = (size = 100) =>
    createUploadUrl(deps, {
      organizationId: 'org_1',
      caller: { principalId: 'usr_1', keyId: 'key_1' },
      body: { filename: 'a.bin', file_size: size, mime_type: 'application/octet-stream' },
    });
  return { backends, call };
}

const settle = () => new Promise((r) => setTimeout(r, 20));

describe('quotas at upload-url', () => {
  it('refuses the session past the limit, with the limit and use, and reserves nothing for it', async () => {
    const { backends, call } = setup();
    backends.limits.set('org_1', { maxOpenSessions: 2, maxStoredBytes: 10_000 });
    await call();
    await call();
    const error = await call().catch((e: ApiError) => e);
    expect(error).toMatchObject({ status: 403, code: 'QUOTA_EXCEEDED', details: { quota: 'open_sessions', limit: 2, used: 2 } });
    await settle();
    expect(backends.usages.get('org_1')).toEqual({ openSessions: 2, storedBytes: 200 });
    expect(backends.cancelled.size).toBe(1);
  });

  it('counts bytes reserved by uploads in progress', async () => {
    const { backends, call } = setup();
    backends.limits.set('org_1', { maxOpenSessions: 100, maxStoredBytes: 1000 });
    await call(600);
    const error = await call(600).catch((e: ApiError) => e);
    expect(error).toMatchObject({ code: 'QUOTA_EXCEEDED', details: { quota: 'stored_bytes', limit: 1000, used: 600 } });
    await expect(call(400)).resolves.toBeDefined();
  });

  it('gives a cancelled session back', async () => {
    const { backends, call } = setup();
    backends.limits.set('org_1', { maxOpenSessions: 1, maxStoredBytes: 10_000 });
    const first = await call();
    await expect(call()).rejects.toMatchObject({ code: 'QUOTA_EXCEEDED' });
    await deleteFile({ records: backends, objects: backends, sessions: backends }, 'org_1', first.file_id);
    await expect(call()).resolves.toBeDefined();
  });

  it('does not count its own reservation, whether or not the concurrent read saw it', async () => {
    const { backends, call } = setup(5);
    backends.limits.set('org_1', { maxOpenSessions: 3, maxStoredBytes: 10_000 });
    const results = await Promise.allSettled([call(), call(), call()]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
  });
});

describe('reserveUpload', () => {
  const record = (id: string) => fileRecord('org_1', id, { session_uri: 'http://storage.invalid/s' });

  it('judges again on a fresh read when a reservation overtook the read it was given, and refuses at the limit', async () => {
    const backends = new MemoryBackends();
    backends.limits.set('org_1', { maxOpenSessions: 2, maxStoredBytes: 10_000 });
    const ports = { records: backends, quotas: backends };
    const stale = await backends.usage('org_1');
    await reserveUpload(ports, record('file_a'), { giveUpMs: 1000 });
    expect(await reserveUpload(ports, record('file_b'), { read: stale, giveUpMs: 1000 })).toBeUndefined();
    expect(backends.files.has('org_1/file_b')).toBe(true);
    expect(await reserveUpload(ports, record('file_c'), { read: stale, giveUpMs: 1000 })).toEqual({
      quota: 'open_sessions',
      limit: 2,
      used: 2,
    });
    expect(backends.files.has('org_1/file_c')).toBe(false);
    expect(backends.usages.get('org_1')).toEqual({ openSessions: 2, storedBytes: 200 });
  });

  it("takes turns per organization: one waits for the earlier one's end, even a failed one, then reads afresh", async () => {
    const backends = new MemoryBackends();
    backends.limits.set('org_1', { maxOpenSessions: 1, maxStoredBytes: 10_000 });
    let creates = 0;
    const records = {
      createUploading: (...args: Parameters<MemoryBackends['createUploading']>) =>
        ++creates === 1 ? Promise.reject(new Error('backend down')) : backends.createUploading(...args),
    } as unknown as MemoryBackends;
    const ports = { records, quotas: backends };
    const read = await backends.usage('org_1');
    const first = reserveUpload(ports, record('file_a'), { read, giveUpMs: 1000 });
    const second = reserveUpload(ports, record('file_b'), { read, giveUpMs: 1000 });
    const third = reserveUpload(ports, record('file_c'), { read, giveUpMs: 1000 });
    await expect(first).rejects.toThrow('backend down');
    expect(await second).toBeUndefined();
    expect(await third).toEqual({ quota: 'open_sessions', limit: 1, used: 1 });
    expect([...backends.files.keys()]).toEqual(['org_1/file_b']);
    // Each later turn read afresh instead of losing a compare-and-set on the read it was given.
    expect(backends.calls).toEqual(['usage', 'usage', 'createUploading', 'usage']);
  });

  it('answers 503 once it has kept losing for its whole budget', async () => {
    const backends = new MemoryBackends();
    backends.failures.set('createUploading', new UsageChanged());
    await expect(reserveUpload({ records: backends, quotas: backends }, record('file_a'), { giveUpMs: 20 })).rejects.toBeInstanceOf(
      BackendUnavailable,
    );
  });
});
