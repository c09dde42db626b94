import { FilesClient, StorageError, type Progress, type UploadSession } from '@files-api/sdk';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { emulatorHosts, startStack, type Stack } from '../support/stack';
import { startFaultProxy, type FaultProxy } from './fault-proxy';
import { crc32cBase64, MIB, randomFile } from './helpers';

// The SDK against the real stack, with a TCP proxy between it and storage
// (the function starts sessions through it, so session URIs point at it).
let proxy: FaultProxy;
let stack: Stack;
let scratch: string;
let client: FilesClient;

beforeAll(async () => {
  proxy = await startFaultProxy(emulatorHosts().storage);
  stack = await startStack(__filename, { STORAGE_EMULATOR_HOST: proxy.url });
  scratch = mkdtempSync(join(tmpdir(), 'sdk-upload-'));
  client = new FilesClient({
    baseUrl: stack.api.url,
    apiKey: stack.apiKey,
    organizationId: stack.organizationId,
    retry: { baseDelayMs: 20 },
  });
});
afterAll(async () => {
  await stack.close();
  await proxy.close();
  rmSync(scratch, { recursive: true, force: true });
});
beforeEach(() => {
  proxy.arm({});
  proxy.reset();
});

async function storedCrc32c(gcsPath: string): Promise<string | undefined> {
  const [metadata] = await stack.storage.bucket(stack.bucket).file(gcsPath).getMetadata();
  return metadata.crc32c;
}

async function objectExists(gcsPath: string): Promise<boolean> {
  const [exists] = await stack.storage.bucket(stack.bucket).file(gcsPath).exists();
  return exists;
}

describe('uploadFile', () => {
  it('sends a file under the direct-upload cap in one request, with no session', async () => {
    const bytes = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomFile(join(scratch, 'small.pdf'), 3 * MIB - 9)]);
    writeFileSync(join(scratch, 'small.pdf'), bytes);
    const requests: string[] = [];
    const counting = new FilesClient({
      baseUrl: stack.api.url,
      apiKey: stack.apiKey,
      organizationId: stack.organizationId,
      fetch: (input, init) => {
        requests.push(`${init?.method ?? 'GET'} ${new URL(String(input)).pathname}`);
        return fetch(input, init);
      },
    });
    const file = await counting.uploadFile(join(scratch, 'small.pdf'), { purpose: 'report', metadata: { team: 'ops' } });
    expect(requests).toEqual([`POST /v1/organizations/${stack.organizationId}/files/upload`]);
    expect(file).toMatchObject({
      status: 'uploaded',
      mime_type: 'application/pdf',
      file_size: bytes.length,
      crc32c: crc32cBase64(bytes),
      purpose: 'report',
      metadata: { team: 'ops' },
    });
    const record = await stack.db.doc(`organizations/${stack.organizationId}/files/${file.id}`).get();
    expect(record.get('session_uri')).toBeNull();
    expect(await storedCrc32c(file.storage_path)).toBe(crc32cBase64(bytes));
    const content = await counting.getFileContent(file.id);
    expect(content).toMatchObject({ file_id: file.id, filename: 'small.pdf', file_size: bytes.length });
  });

  it('uploads a path in chunks with progress, pins the CRC32C and registers the file', async () => {
    const bytes = randomFile(join(scratch, 'clip.mp4'), 3 * MIB + 1234);
    const progress: Progress[] = [];
    let session: UploadSession | undefined;
    const file = await client.uploadFile(join(scratch, 'clip.mp4'), {
      chunkSize: MIB,
      onProgress: (p) => progress.push(p),
      onSession: (s) => void (session = s),
    });
    expect(file).toMatchObject({
      status: 'uploaded',
      original_filename: 'clip.mp4',
      mime_type: 'video/mp4',
      file_size: bytes.length,
      crc32c: crc32cBase64(bytes),
    });
    expect(session).toMatchObject({ file_id: file.id, crc32c: crc32cBase64(bytes), file_size: bytes.length });
    expect(progress.map((p) => p.bytesSent)).toEqual([MIB, 2 * MIB, 3 * MIB, bytes.length]);
    expect(progress.every((p) => p.totalBytes === bytes.length && p.rate >= 0)).toBe(true);
    expect(await storedCrc32c(file.storage_path)).toBe(crc32cBase64(bytes));
  });

  it('uploads a Blob and a Readable of known size', async () => {
    const bytes = randomFile(join(scratch, 'blob.bin'), MIB + 7);
    const fromBlob = await client.uploadFile(new Blob([bytes], { type: 'application/x-test' }), {
      filename: 'blob.bin',
      chunkSize: 256 * 1024,
    });
    expect(fromBlob).toMatchObject({ status: 'uploaded', mime_type: 'application/x-test', crc32c: crc32cBase64(bytes) });
    const fromStream = await client.uploadFile(
      { stream: Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]), size: bytes.length, name: 'stream.bin' },
      { chunkSize: 256 * 1024 },
    );
    expect(fromStream).toMatchObject({
      status: 'uploaded',
      original_filename: 'stream.bin',
      file_size: bytes.length,
      crc32c: crc32cBase64(bytes),
    });
  });

  it('goes on after the connection is cut in the middle of a chunk, and sends the rest only', async () => {
    const bytes = randomFile(join(scratch, 'cut.bin'), 5 * MIB);
    proxy.arm({ cutAfter: 2 * MIB + 100_000 });
    const file = await client.uploadFile(join(scratch, 'cut.bin'), { chunkSize: MIB });
    expect(proxy.cuts).toBe(1);
    expect(file).toMatchObject({ status: 'uploaded', crc32c: crc32cBase64(bytes) });
    expect(await storedCrc32c(file.storage_path)).toBe(crc32cBase64(bytes));
    // The cut chunk is sent again; nothing before it is.
    expect(proxy.bytesUp()).toBeLessThan(bytes.length + 1.5 * MIB);
  });

  it('refuses corrupted bytes: the pinned CRC32C makes storage reject the object', async () => {
    const bytes = randomFile(join(scratch, 'flip.bin'), 2 * MIB);
    let session: UploadSession | undefined;
    proxy.arm({ flipAt: 700_000 });
    const upload = client.uploadFile(join(scratch, 'flip.bin'), { chunkSize: MIB, onSession: (s) => void (session = s) });
    await expect(upload).rejects.toMatchObject({ name: 'StorageError', code: 'CHECKSUM_MISMATCH', status: 400 });
    await upload.catch((error) => expect(error).toBeInstanceOf(StorageError));
    expect(proxy.flips).toBe(1);
    expect(session?.crc32c).toBe(crc32cBase64(bytes));
    expect(await objectExists(session!.gcs_path)).toBe(false);
    expect((await client.getFile(session!.file_id)).status).toBe('uploading');
  });

  it('stops at once on abort, and the stored session resumes without resending what it had', async () => {
    const bytes = randomFile(join(scratch, 'abort.bin'), 6 * MIB);
    const controller = new AbortController();
    let session: UploadSession | undefined;
    const upload = client.uploadFile(join(scratch, 'abort.bin'), {
      chunkSize: MIB,
      signal: controller.signal,
      onSession: (s) => void (session = s),
      onProgress: (p) => p.bytesSent >= 2 * MIB && controller.abort(),
    });
    await expect(upload).rejects.toMatchObject({ name: 'AbortError' });
    const sentBefore = proxy.bytesUp();
    expect(sentBefore).toBeLessThan(bytes.length);
    expect(await objectExists(session!.gcs_path)).toBe(false);

    proxy.reset();
    const progress: number[] = [];
    const file = await client.resumeUpload(join(scratch, 'abort.bin'), session!, {
      chunkSize: MIB,
      onProgress: (p) => progress.push(p.bytesSent),
    });
    expect(file).toMatchObject({ id: session!.file_id, status: 'uploaded', crc32c: crc32cBase64(bytes) });
    expect(progress[0]).toBeGreaterThanOrEqual(2 * MIB);
    expect(proxy.bytesUp()).toBeLessThanOrEqual(bytes.length - 2 * MIB + 64 * 1024);
  });

  it('refuses to resume a session with a source of another size', async () => {
    const session = await client.createUploadSession({ filename: 'x.bin', file_size: 10, mime_type: 'application/octet-stream' });
    await expect(client.resumeUpload(new Blob([new Uint8Array(11)]), session)).rejects.toThrow(/10 bytes, the source has 11/);
  });

  it('answers SESSION_GONE for a cancelled session', async () => {
    randomFile(join(scratch, 'gone.bin'), MIB);
    const session = await client.createUploadSession({ filename: 'gone.bin', file_size: MIB, mime_type: 'application/octet-stream' });
    // The session URI reaches the record just after the answer; delete needs it to cancel.
    for (
      let i = 0;
      i < 100 && !(await stack.db.doc(`organizations/${stack.organizationId}/files/${session.file_id}`).get()).get('session_uri');
      i++
    ) {
      await new Promise((r) => setTimeout(r, 20));
    }
    await client.deleteFile(session.file_id);
    await expect(client.resumeUpload(join(scratch, 'gone.bin'), session)).rejects.toMatchObject({
      name: 'StorageError',
      code: 'SESSION_GONE',
    });
  });
});
