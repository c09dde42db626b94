import { MemoryBackends } from '../../functions/adapters/in-memory';
import type { FileRecord } from '../../functions/domain/file-record';
import { UploadProgress } from '../../functions/domain/upload-progress';
import { record } from './ports-contract';

const URI = (n: number) => `http://storage.invalid/upload?upload_id=${n}`;

function setup(latencyMs = 0) {
  const storage = new MemoryBackends(latencyMs);
  let clock = 1_000_000;
  const progress = new UploadProgress(storage, 3000, () => clock);
  const uploading = (n: number, size = 1_048_576): FileRecord => {
    storage.sessions.set(URI(n), { objectName: `o${n}`, contentType: 'application/octet-stream', size, metadata: {} });
    return record('org_1', `file_${n}`, { session_uri: URI(n), file_size: size });
  };
  return { storage, progress, uploading, advance: (ms: number) => (clock += ms) };
}

const queries = (storage: MemoryBackends) => storage.calls.filter((c) => c === 'sessionProgress').length;

describe('UploadProgress', () => {
  it('answers bytes_received of an uploading file, from one status query per file and cache period', async () => {
    const { storage, progress, uploading, advance } = setup();
    const file = uploading(1);
    storage.received.set(URI(1), 262_144);
    expect((await progress.fileObject(file)).bytes_received).toBe(262_144);
    storage.received.set(URI(1), 524_288);
    expect((await progress.fileObject(file)).bytes_received).toBe(262_144);
    expect(queries(storage)).toBe(1);
    advance(3001);
    expect((await progress.fileObject(file)).bytes_received).toBe(524_288);
    expect(queries(storage)).toBe(2);
  });

  it('says 0 before any byte, the whole size once the session is complete, and nothing once it is gone', async () => {
    const { storage, progress, uploading } = setup();
    expect((await progress.fileObject(uploading(1))).bytes_received).toBe(0);
    storage.received.set(URI(2), 1_048_576);
    expect((await progress.fileObject(uploading(2))).bytes_received).toBe(1_048_576);
    const cancelled = uploading(3);
    storage.cancelled.add(URI(3));
    expect(await progress.fileObject(cancelled)).not.toHaveProperty('bytes_received');
  });

  it('leaves the field out, and queries nothing, for a file in any other state or without a session', async () => {
    const { storage, progress } = setup();
    for (const status of ['uploaded', 'failed', 'cancelled', 'expired'] as const) {
      expect(await progress.fileObject(record('org_1', `file_${status}`, { status, session_uri: URI(9) }))).not.toHaveProperty(
        'bytes_received',
      );
    }
    expect(await progress.fileObject(record('org_1', 'file_sessionless', { session_uri: null }))).not.toHaveProperty('bytes_received');
    expect(queries(storage)).toBe(0);
  });

  it('leaves the field out when the status query fails, and never says the session URI', async () => {
    const { storage, progress, uploading } = setup();
    storage.failures.set('sessionProgress', new Error(`503 from ${URI(1)}`));
    const file = await progress.fileObject(uploading(1));
    expect(file).not.toHaveProperty('bytes_received');
    expect(JSON.stringify(file)).not.toContain('upload_id');
  });

  it('queries a page of uploads at most 8 at a time, and keeps the page in order', async () => {
    const { storage, progress, uploading } = setup(5);
    const page = Array.from({ length: 30 }, (_, i) => {
      storage.received.set(URI(i), i * 10);
      return i % 3 === 0 ? record('org_1', `file_done_${i}`, { status: 'uploaded' }) : uploading(i);
    });
    const files = await progress.fileObjects(page);
    expect(files.map((f) => f.id)).toEqual(page.map((r) => r.id));
    expect(files.map((f) => f.bytes_received)).toEqual(page.map((r, i) => (r.status === 'uploading' ? i * 10 : undefined)));
    expect(queries(storage)).toBe(20);
    expect(storage.maxInFlight).toBe(8);
  });
});
