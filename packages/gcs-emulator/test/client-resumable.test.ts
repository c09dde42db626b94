import type { Bucket } from '@google-cloud/storage';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { crc32c, MIB, QUANTUM, md5, pattern, sharedEmulatorUrl, storageClient } from './helpers';

// Resumable uploads through the official client, unchanged, as the product's users run them.
const storage = storageClient(sharedEmulatorUrl());
let bucket: Bucket;

beforeAll(async () => {
  [bucket] = await storage.createBucket('emulator-client-resumable');
});

async function upload(name: string, data: Buffer, options: Parameters<ReturnType<Bucket['file']>['createWriteStream']>[0]) {
  await pipeline(Readable.from([data]), bucket.file(name).createWriteStream(options));
}

describe('official client, resumable', () => {
  it('uploads several MB in small chunks on a session from createResumableUpload', async () => {
    const data = pattern(5 * MIB + 12345, 7);
    const file = bucket.file('chunked/five-mb.bin');
    const [uri] = await file.createResumableUpload({
      metadata: { contentType: 'application/x-test', metadata: { owner: 'tests' } },
      preconditionOpts: { ifGenerationMatch: 0 },
    });
    expect(uri).toContain('upload_id=');
    const chunks: number[] = [];
    const stream = file.createWriteStream({ uri, chunkSize: 2 * QUANTUM, resumable: true, preconditionOpts: { ifGenerationMatch: 0 } });
    stream.on('response', (res: { status: number }) => chunks.push(res.status));
    await pipeline(Readable.from([data]), stream);
    // 11 chunks of 512 KiB: ten answered 308, the last 200.
    expect(chunks.filter((s) => s === 308)).toHaveLength(10);
    const [meta] = await file.getMetadata();
    expect(meta).toMatchObject({
      kind: 'storage#object',
      name: 'chunked/five-mb.bin',
      bucket: 'emulator-client-resumable',
      size: String(data.length),
      md5Hash: md5(data),
      contentType: 'application/x-test',
      metadata: { owner: 'tests' },
    });
    expect(meta.crc32c).toBe(crc32c(data));
    expect(meta.id).toBe(`emulator-client-resumable/chunked/five-mb.bin/${meta.generation}`);
    const [downloaded] = await file.download();
    expect(downloaded.equals(data)).toBe(true);
  });

  it('uploads in one streamed request when no chunk size is set', async () => {
    const data = pattern(3 * MIB + 1, 8);
    await upload('one-shot.bin', data, { resumable: true, preconditionOpts: { ifGenerationMatch: 0 } });
    const [meta] = await bucket.file('one-shot.bin').getMetadata();
    expect(meta.md5Hash).toBe(md5(data));
  });

  it('uploads an empty object', async () => {
    await upload('empty.bin', Buffer.alloc(0), { resumable: true, chunkSize: QUANTUM });
    const [meta] = await bucket.file('empty.bin').getMetadata();
    expect(meta.size).toBe('0');
    const [bytes] = await bucket.file('empty.bin').download();
    expect(bytes.length).toBe(0);
  });

  it('reports progress on a status query and resumes with the client’s own logic', async () => {
    const data = pattern(3 * MIB, 9);
    const file = bucket.file('resumed-by-status.bin');
    const [uri] = await file.createResumableUpload({ preconditionOpts: { ifGenerationMatch: 0 } });
    // Send the first 1 MiB by hand, as an earlier process would have.
    const first = await fetch(uri, { method: 'PUT', headers: { 'Content-Range': `bytes 0-${MIB - 1}/*` }, body: data.subarray(0, MIB) });
    expect(first.status).toBe(308);
    const status = await fetch(uri, { method: 'PUT', headers: { 'Content-Range': 'bytes */*' } });
    expect(status.status).toBe(308);
    expect(status.headers.get('range')).toBe(`bytes=0-${MIB - 1}`);
    // Given the whole stream again with the same uri, the client asks where to go on and skips what is there.
    await upload('resumed-by-status.bin', data, {
      uri,
      chunkSize: 4 * QUANTUM,
      resumable: true,
      preconditionOpts: { ifGenerationMatch: 0 },
    });
    const [meta] = await file.getMetadata();
    expect(meta.md5Hash).toBe(md5(data));
  });

  it('resumes from an explicit offset', async () => {
    const data = pattern(2 * MIB, 10);
    const file = bucket.file('resumed-by-offset.bin');
    const [uri] = await file.createResumableUpload({ preconditionOpts: { ifGenerationMatch: 0 } });
    expect(
      (await fetch(uri, { method: 'PUT', headers: { 'Content-Range': `bytes 0-${MIB - 1}/*` }, body: data.subarray(0, MIB) })).status,
    ).toBe(308);
    await upload('resumed-by-offset.bin', data.subarray(MIB), {
      uri,
      offset: MIB,
      resumeCRC32C: crc32c(data.subarray(0, MIB)),
      chunkSize: 2 * QUANTUM,
      resumable: true,
      preconditionOpts: { ifGenerationMatch: 0 },
    });
    const [downloaded] = await file.download();
    expect(downloaded.equals(data)).toBe(true);
  });

  it('verifies checksums pinned at the start: matching bytes pass, others are refused with no object', async () => {
    const data = pattern(QUANTUM * 3 + 100, 11);
    const crc = crc32c(data);
    const good = bucket.file('pinned-good.bin');
    const [goodUri] = await good.createResumableUpload({
      metadata: { crc32c: crc, md5Hash: md5(data), contentLength: data.length },
      preconditionOpts: { ifGenerationMatch: 0 },
    });
    await upload('pinned-good.bin', data, {
      uri: goodUri,
      chunkSize: QUANTUM,
      resumable: true,
      preconditionOpts: { ifGenerationMatch: 0 },
    });
    expect((await good.getMetadata())[0].crc32c).toBe(crc);

    const bad = bucket.file('pinned-bad.bin');
    const [badUri] = await bad.createResumableUpload({
      metadata: { crc32c: crc, md5Hash: md5(data) },
      preconditionOpts: { ifGenerationMatch: 0 },
    });
    const other = Buffer.from(data);
    other[QUANTUM + 5] ^= 0xff;
    await expect(
      upload('pinned-bad.bin', other, { uri: badUri, chunkSize: QUANTUM, resumable: true, preconditionOpts: { ifGenerationMatch: 0 } }),
    ).rejects.toMatchObject({
      code: 400,
    });
    expect((await bad.exists())[0]).toBe(false);
    // The failed session is over.
    expect((await fetch(badUri, { method: 'PUT', headers: { 'Content-Range': 'bytes */*' } })).status).toBe(404);
  });

  it('refuses a total that contradicts X-Upload-Content-Length, and keeps no object', async () => {
    const file = bucket.file('size-pinned.bin');
    const [uri] = await file.createResumableUpload({ metadata: { contentLength: QUANTUM }, preconditionOpts: { ifGenerationMatch: 0 } });
    const data = pattern(2 * QUANTUM, 12);
    // The client states its own total (2 units) in every Content-Range; the session was pinned to 1.
    await expect(
      upload('size-pinned.bin', data, {
        uri,
        chunkSize: QUANTUM,
        resumable: true,
        metadata: { contentLength: data.length },
        preconditionOpts: { ifGenerationMatch: 0 },
      }),
    ).rejects.toMatchObject({ code: 400 });
    expect((await file.exists())[0]).toBe(false);
  });

  it('answers 412 at finalize when ifGenerationMatch=0 meets an existing object, and keeps the old one', async () => {
    const original = pattern(1000, 13);
    await bucket.file('exists.bin').save(original, { resumable: false });
    const file = bucket.file('exists.bin');
    const [uri] = await file.createResumableUpload({ preconditionOpts: { ifGenerationMatch: 0 } });
    await expect(
      upload('exists.bin', pattern(QUANTUM * 2, 14), {
        uri,
        chunkSize: QUANTUM,
        resumable: true,
        preconditionOpts: { ifGenerationMatch: 0 },
      }),
    ).rejects.toMatchObject({
      code: 412,
    });
    const [after] = await file.download();
    expect(after.equals(original)).toBe(true);
  });

  it('downloads byte ranges and validates whole downloads against x-goog-hash', async () => {
    const data = pattern(MIB + 77, 15);
    await upload('ranged.bin', data, { resumable: true, chunkSize: QUANTUM });
    const file = bucket.file('ranged.bin');
    const [middle] = await file.download({ start: 1000, end: 299_999 });
    expect(middle.equals(data.subarray(1000, 300_000))).toBe(true);
    const [tail] = await file.download({ start: MIB });
    expect(tail.equals(data.subarray(MIB))).toBe(true);
    const [whole] = await file.download({ validation: 'md5' });
    expect(whole.equals(data)).toBe(true);
  });
});
