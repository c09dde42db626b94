import { MemoryBackends } from '../../functions/adapters/in-memory';
import { completeUpload, type CompletionDeps } from '../../functions/domain/complete-upload';
import { deleteFile } from '../../functions/endpoints/delete-file';
import type { FileRecord } from '../../functions/domain/file-record';
import { onObjectFinalized } from '../../functions/events/finalize';
import { sweepExpired } from '../../functions/jobs/sweep';
import { record as fileRecord } from '../support/file-record';

const record = (change: Partial<FileRecord> = {}): FileRecord =>
  fileRecord('org_1', 'file_A', {
    original_filename: 'a.pdf',
    file_size: 9,
    mime_type: 'application/pdf',
    storage_path: 'files/org_1/file_A/a.pdf',
    session_uri: 'http://storage.invalid/session',
    ...change,
  });

function setup(r = record()) {
  const backends = new MemoryBackends();
  backends.files.set(`org_1/${r.id}`, r);
  return { backends, deps: { records: backends, objects: backends, now: () => Date.parse('2026-01-02T00:00:00Z') } };
}

const PDF = Buffer.from('%PDF-1.7\n');

/** The same ports, but `meanwhile` runs between the object's metadata and its first bytes. */
function afterStat(deps: CompletionDeps, backends: MemoryBackends, meanwhile: () => Promise<unknown>): CompletionDeps {
  return {
    ...deps,
    objects: {
      stat: async (name) => {
        const seen = await backends.stat(name);
        await meanwhile();
        return seen;
      },
      readHead: (name, generation, bytes) => backends.readHead(name, generation, bytes),
      remove: (name, generation) => backends.remove(name, generation),
    },
  };
}

describe('completeUpload', () => {
  it('is incomplete until the object exists', async () => {
    const { deps } = setup();
    expect((await completeUpload(deps, record())).kind).toBe('incomplete');
  });

  it('marks the file uploaded with what storage says, once', async () => {
    const { backends, deps } = setup();
    backends.putObject('files/org_1/file_A/a.pdf', PDF, 'application/pdf', { file_id: 'file_A' });
    const results = await Promise.all([completeUpload(deps, record()), completeUpload(deps, record())]);
    expect(results.map((r) => r.kind)).toEqual(['uploaded', 'uploaded']);
    expect(results.filter((r) => r.kind === 'uploaded' && r.changed)).toHaveLength(1);
    expect(backends.files.get('org_1/file_A')).toMatchObject({
      status: 'uploaded',
      uploaded_at: '2026-01-02T00:00:00Z',
      session_uri: null,
    });
  });

  it.each([
    ['another file id in the metadata', { file_id: 'file_B' }, PDF, 'application/pdf', 'file_id'],
    ['another size', { file_id: 'file_A' }, Buffer.from('%PDF-1.7\n\n'), 'application/pdf', 'file_size'],
    ['another content type', { file_id: 'file_A' }, PDF, 'application/x-pdf', 'mime_type'],
    ['contradicting bytes', { file_id: 'file_A' }, Buffer.from('89504e470d0a1a0a00', 'hex'), 'application/pdf', 'content'],
  ])('fails the file and deletes the object for %s', async (_name, metadata, bytes, type, field) => {
    const { backends, deps } = setup();
    backends.putObject('files/org_1/file_A/a.pdf', bytes, type, metadata);
    const result = await completeUpload(deps, record());
    expect(result.kind).toBe('failed');
    expect(result.kind === 'failed' && result.mismatch?.field).toBe(field);
    expect(backends.files.get('org_1/file_A')?.status).toBe('failed');
    expect(backends.objects.size).toBe(0);
  });

  it('checks a pinned checksum', async () => {
    const { backends, deps } = setup(record({ md5_hash: 'AAAAAAAAAAAAAAAAAAAAAA==' }));
    const object = backends.putObject('files/org_1/file_A/a.pdf', PDF, 'application/pdf', { file_id: 'file_A' });
    object.md5Hash = 'BBBBBBBBBBBBBBBBBBBBBB==';
    const result = await completeUpload(deps, record({ md5_hash: 'AAAAAAAAAAAAAAAAAAAAAA==' }));
    expect(result.kind === 'failed' && result.mismatch?.field).toBe('md5_hash');
  });

  it('answers from the record as it now is when a DELETE removes the object between its metadata and its bytes', async () => {
    const { backends, deps } = setup();
    backends.putObject('files/org_1/file_A/a.pdf', PDF, 'application/pdf', { file_id: 'file_A' });
    const racingDelete = afterStat(deps, backends, () =>
      deleteFile({ records: backends, objects: backends, sessions: backends }, 'org_1', 'file_A'),
    );
    const result = await completeUpload(racingDelete, record());
    expect(result).toMatchObject({ kind: 'conflict', record: { status: 'cancelled' } });
    expect(backends.objects.size).toBe(0);
  });

  it('stays incomplete when the object it saw is gone and the record still waits for one', async () => {
    const { backends, deps } = setup();
    backends.putObject('files/org_1/file_A/a.pdf', PDF, 'application/pdf', { file_id: 'file_A' });
    const replaced = afterStat(deps, backends, () => backends.remove('files/org_1/file_A/a.pdf'));
    expect((await completeUpload(replaced, record())).kind).toBe('incomplete');
    expect(backends.files.get('org_1/file_A')?.status).toBe('uploading');
  });
});

describe('onObjectFinalized', () => {
  const event = { bucket: 'bkt', name: 'files/org_1/file_A/a.pdf', generation: '1' };

  it('completes an upload nobody registered', async () => {
    const { backends, deps } = setup();
    backends.putObject(event.name, PDF, 'application/pdf', { file_id: 'file_A' });
    expect(await onObjectFinalized({ ...deps, bucket: 'bkt' }, event)).toBe('uploaded');
    expect(await onObjectFinalized({ ...deps, bucket: 'bkt' }, event)).toBe('uploaded already');
  });

  it('removes an object no live record expects', async () => {
    for (const status of ['cancelled', 'expired', 'deleted'] as const) {
      const { backends, deps } = setup(record({ status }));
      backends.putObject(event.name, PDF, 'application/pdf', { file_id: 'file_A' });
      const generation = backends.objects.get(event.name)!.object.generation;
      expect(await onObjectFinalized({ ...deps, bucket: 'bkt' }, { ...event, generation })).toBe(`removed: the file is ${status}`);
      expect(backends.objects.size).toBe(0);
    }
  });

  it("leaves a direct upload's object, whose record comes after it, and removes any other object without a record", async () => {
    const { backends, deps } = setup();
    backends.files.clear();
    backends.putObject(event.name, PDF, 'application/pdf', { file_id: 'file_A', upload: 'direct' });
    expect(await onObjectFinalized({ ...deps, bucket: 'bkt' }, event)).toBe('ignored: a direct upload');
    expect(backends.objects.size).toBe(1);
    backends.putObject(event.name, PDF, 'application/pdf', { file_id: 'file_A' });
    const generation = backends.objects.get(event.name)!.object.generation;
    expect(await onObjectFinalized({ ...deps, bucket: 'bkt' }, { ...event, generation })).toBe('removed: no record issued this path');
    expect(backends.objects.size).toBe(0);
  });

  it('refuses organization segments no organization can have without a backend call', async () => {
    const { backends, deps } = setup();
    for (const name of ['files/../file_A/a.pdf', 'files/__x__/file_A/a.pdf', 'files/_/file_A/a.pdf', 'files/org_1/../file_A/a.pdf']) {
      expect(await onObjectFinalized({ ...deps, bucket: 'bkt' }, { ...event, name })).toBe('ignored: not an upload path');
    }
    expect(backends.calls).toEqual([]);
  });

  it('ignores other buckets and paths it never issued', async () => {
    const { deps } = setup();
    expect(await onObjectFinalized({ ...deps, bucket: 'bkt' }, { ...event, bucket: 'other' })).toBe('ignored: another bucket');
    expect(await onObjectFinalized({ ...deps, bucket: 'bkt' }, { ...event, name: 'backups/x' })).toBe('ignored: not an upload path');
  });
});

/** One sweep run over the in-memory backends: a batch of 10 within a budget it never spends, the default grace and
 * direct-upload expiry, unless a test says otherwise. */
const sweep = (backends: MemoryBackends, now: () => number, options: { batchSize?: number; budgetMs?: number } = {}) =>
  sweepExpired({
    records: backends,
    objects: backends,
    sessions: backends,
    now,
    batchSize: 10,
    budgetMs: 10_000,
    sessionGraceMs: 60_000,
    directUploadExpiryMs: 130_000,
    ...options,
  });

const nothingDone = { expired: 0, completed: 0, abandoned: 0, cleaned: 0, orphans: 0, has_more: false };

describe('sweepExpired', () => {
  it('expires unfinished uploads past expires_at, cancels their sessions, and leaves the rest', async () => {
    const { backends, deps } = setup(record({ expires_at: '2026-01-01T12:00:00Z' }));
    backends.files.set(
      'org_1/file_B',
      record({ id: 'file_B', storage_path: 'files/org_1/file_B/b.pdf', expires_at: '2026-01-09T00:00:00Z' }),
    );
    expect(await sweep(backends, deps.now)).toEqual({ ...nothingDone, expired: 1, cleaned: 1 });
    expect(backends.files.get('org_1/file_A')?.status).toBe('expired');
    expect(backends.files.get('org_1/file_B')?.status).toBe('uploading');
    expect([...backends.cancelled]).toEqual(['http://storage.invalid/session']);
    expect(await sweep(backends, deps.now)).toEqual(nothingDone);
  });

  it('counts a session as expired from the very second it expires, whatever the milliseconds', async () => {
    const { backends } = setup(record({ expires_at: '2026-01-02T00:00:00Z' }));
    const report = await sweep(backends, () => Date.parse('2026-01-02T00:00:00.500Z'));
    expect(report.expired).toBe(1);
  });

  it('completes, never deletes, an upload whose object arrived but whose event was lost', async () => {
    const { backends, deps } = setup(record({ expires_at: '2026-01-01T12:00:00Z' }));
    backends.putObject('files/org_1/file_A/a.pdf', PDF, 'application/pdf', { file_id: 'file_A' });
    expect(await sweep(backends, deps.now)).toEqual({ ...nothingDone, completed: 1 });
    expect(backends.files.get('org_1/file_A')?.status).toBe('uploaded');
    expect(backends.objects.size).toBe(1);
  });

  it('takes batch after batch within its budget, and stops when the budget is spent', async () => {
    const { backends, deps } = setup(record({ expires_at: '2026-01-01T12:00:00Z' }));
    backends.files.set('org_1/file_B', record({ id: 'file_B', expires_at: '2026-01-01T12:00:00Z' }));
    backends.files.set('org_1/file_C', record({ id: 'file_C', expires_at: '2026-01-01T12:00:00Z' }));
    expect(await sweep(backends, deps.now, { batchSize: 1, budgetMs: 0 })).toEqual({
      ...nothingDone,
      expired: 1,
      has_more: true,
    });
    expect(await sweep(backends, deps.now, { batchSize: 1 })).toEqual({ ...nothingDone, expired: 2, cleaned: 3 });
  });
});

describe('sweepExpired: abandoned uploads and leftovers', () => {
  it('fails an `uploading` record with no session past the grace, and leaves one within it', async () => {
    const { backends, deps } = setup(record({ session_uri: null, created_at: '2026-01-01T23:58:00Z' }));
    backends.files.set('org_1/file_B', record({ id: 'file_B', session_uri: null, created_at: '2026-01-01T23:59:30Z' }));
    expect(await sweep(backends, deps.now)).toMatchObject({ abandoned: 1 });
    expect(backends.files.get('org_1/file_A')?.status).toBe('failed');
    expect(backends.files.get('org_1/file_B')?.status).toBe('uploading');
  });

  it('removes the object and cancels the session of a record that no longer expects them, once', async () => {
    const { backends, deps } = setup(record({ status: 'failed', leftovers: true }));
    backends.putObject('files/org_1/file_A/a.pdf', PDF, 'application/pdf', { file_id: 'file_A' });
    expect(await sweep(backends, deps.now)).toMatchObject({ cleaned: 1 });
    expect(backends.objects.size).toBe(0);
    expect([...backends.cancelled]).toEqual(['http://storage.invalid/session']);
    expect(backends.files.get('org_1/file_A')).toMatchObject({ status: 'failed', leftovers: false, session_uri: null });
    expect(await sweep(backends, deps.now)).toMatchObject({ cleaned: 0 });
  });

  it('keeps the mark while storage refuses, and finishes on a later run', async () => {
    const { backends, deps } = setup(record({ status: 'deleted', leftovers: true }));
    backends.putObject('files/org_1/file_A/a.pdf', PDF, 'application/pdf', { file_id: 'file_A' });
    backends.failures.set('remove', new Error('storage down'));
    expect(await sweep(backends, deps.now)).toMatchObject({ cleaned: 0 });
    expect(backends.files.get('org_1/file_A')?.leftovers).toBe(true);
    backends.failures.delete('remove');
    expect(await sweep(backends, deps.now)).toMatchObject({ cleaned: 1 });
    expect(backends.objects.size).toBe(0);
  });
});
