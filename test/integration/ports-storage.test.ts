import { Firestore } from '@google-cloud/firestore';
import { CRC32C, Storage } from '@google-cloud/storage';
import { randomBytes } from 'node:crypto';
import { FirestoreFileRecords } from '../../functions/adapters/firestore-file-records';
import { GcsObjects } from '../../functions/adapters/gcs-objects';
import { completeUpload } from '../../functions/domain/complete-upload';
import type { FileRecord } from '../../functions/domain/file-record';
import type { ObjectStore, UploadSessions } from '../../functions/domain/ports';
import { GcsUploadSessions } from '../../functions/adapters/gcs-upload-sessions';
import { deleteFile } from '../../functions/endpoints/delete-file';
import { ensureBucket } from '../../scripts/local-stack/storage-bucket';
import { emulatorHosts, isolatedNames } from '../support/stack';
import { record as fileRecord } from '../unit/ports-contract';

// The storage adapter against the project's storage emulator, and the race a
// fresh clone's CI once met: a DELETE removing the object while a register
// was between reading its metadata and its first bytes (the read got 404 and
// the register answered 500).
const { projectId, bucket: bucketName } = isolatedNames(__filename);
const db = new Firestore({ projectId });
const storage = new Storage({ apiEndpoint: emulatorHosts().storage, projectId });
const bucket = storage.bucket(bucketName);
const objects = new GcsObjects(bucket, 10_000);
const records = new FirestoreFileRecords(db, 10_000);
const noSessions: UploadSessions = {
  createSession: () => Promise.reject(new Error('not used')),
  cancelSession: () => Promise.resolve(),
  sessionProgress: () => Promise.reject(new Error('not used')),
};

beforeAll(() => ensureBucket(emulatorHosts().storage, projectId, bucketName));
afterAll(() => db.terminate());

const PDF = Buffer.from('%PDF-1.7\n');
let counter = 0;

async function uploadingFile(): Promise<FileRecord> {
  const id = `file_race${process.pid}x${counter++}`;
  const record = fileRecord('org_ports', id, {
    original_filename: 'a.pdf',
    file_size: PDF.length,
    mime_type: 'application/pdf',
    storage_path: `files/org_ports/${id}/a.pdf`,
    expires_at: '2099-01-08T00:00:00Z',
  });
  await records.createUploading(record);
  await bucket.file(record.storage_path).save(PDF, { contentType: 'application/pdf', metadata: { metadata: { file_id: id } } });
  return record;
}

describe('GcsObjects on the storage emulator', () => {
  it('writes pieces of any size as one object, joined into larger writes, its CRC32C the one storage reports', async () => {
    const bytes = randomBytes(3 * 1024 * 1024 + 12345);
    // Reads of the sizes a socket gives, and odd ones, so joins fall on and across the 1 MiB mark.
    async function* pieces() {
      for (let at = 0, n = 0; at < bytes.length; n++) {
        const size = [65536, 1, 100_000, 65536 * 16, 7][n % 5];
        yield bytes.subarray(at, at + size);
        at += size;
      }
    }
    const objectName = `files/org_ports/file_write${process.pid}/w.bin`;
    const metadata = { file_id: 'file_write' };
    const { object, sentCrc32c } = await objects.write({ objectName, contentType: 'application/octet-stream', metadata }, pieces());
    // The storage client's own (JavaScript) CRC32C: an implementation independent of the one the adapter uses.
    const expected = new CRC32C();
    expected.update(bytes);
    expect(sentCrc32c).toBe(expected.toString());
    expect(object).toMatchObject({ name: objectName, size: bytes.length, crc32c: sentCrc32c, metadata });
    const [stored] = await bucket.file(objectName).download();
    expect(stored.equals(bytes)).toBe(true);
  });

  it('reads the first bytes of a generation, and null once that generation is gone', async () => {
    const record = await uploadingFile();
    const seen = await objects.stat(record.storage_path);
    expect(seen).toMatchObject({ size: PDF.length, contentType: 'application/pdf', metadata: { file_id: record.id } });
    expect(await objects.readHead(record.storage_path, seen!.generation, 4)).toEqual(PDF.subarray(0, 4));
    await objects.remove(record.storage_path, seen!.generation);
    expect(await objects.stat(record.storage_path)).toBeNull();
    expect(await objects.readHead(record.storage_path, seen!.generation, 4)).toBeNull();
    await expect(objects.remove(record.storage_path, seen!.generation)).resolves.toBeUndefined();
  });

  it('completing an upload that a DELETE cancels between the metadata and the bytes answers the cancelled record', async () => {
    const record = await uploadingFile();
    const racing: ObjectStore = {
      stat: async (name) => {
        const seen = await objects.stat(name);
        await deleteFile({ records, objects, sessions: noSessions }, record.organization_id, record.id);
        return seen;
      },
      readHead: (name, generation, bytes) => objects.readHead(name, generation, bytes),
      remove: (name, generation) => objects.remove(name, generation),
    };
    const result = await completeUpload({ records, objects: racing }, record);
    expect(result).toMatchObject({ kind: 'conflict', record: { status: 'cancelled' } });
    expect(await objects.stat(record.storage_path)).toBeNull();
  });
});

describe('GcsUploadSessions.sessionProgress on the storage emulator', () => {
  it('says what a session persisted, complete once the object exists, and null once it is cancelled', async () => {
    const sessions = new GcsUploadSessions(bucket, 10_000);
    const size = 512 * 1024;
    const start = (name: string) =>
      sessions.createSession({
        objectName: `progress/${name}-${process.pid}`,
        contentType: 'application/octet-stream',
        size,
        metadata: {},
      });
    const put = (uri: string, first: number, last: number) =>
      fetch(uri, { method: 'PUT', headers: { 'Content-Range': `bytes ${first}-${last}/${size}` }, body: Buffer.alloc(last - first + 1) });
    const uri = await start('whole');
    expect(await sessions.sessionProgress(uri)).toEqual({ received: 0 });
    expect((await put(uri, 0, 256 * 1024 - 1)).status).toBe(308);
    expect(await sessions.sessionProgress(uri)).toEqual({ received: 256 * 1024 });
    // The query changed nothing: the upload goes on where it was.
    expect((await put(uri, 256 * 1024, size - 1)).status).toBe(200);
    expect(await sessions.sessionProgress(uri)).toBe('complete');
    const cancelled = await start('cancelled');
    await sessions.cancelSession(cancelled);
    expect(await sessions.sessionProgress(cancelled)).toBeNull();
  });
});
