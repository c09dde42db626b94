import { Storage, type Bucket } from '@google-cloud/storage';
import { md5, pattern, sharedEmulatorUrl, storageClient, expectGcsError } from './helpers';

// The JSON API around objects, through the official client where it has a call for it.
const url = sharedEmulatorUrl();
const storage = storageClient(url);
const BUCKET = 'emulator-client-objects';
let bucket: Bucket;

const NAMES = ['a.txt', 'dir/one.txt', 'dir/two.txt', 'dir/sub/three.txt', 'dir2/four.txt', 'z/ünïcødé name+plus?.txt', 'zz.txt'];

beforeAll(async () => {
  [bucket] = await storage.createBucket(BUCKET);
  for (const [i, name] of NAMES.entries())
    await bucket.file(name).save(`content of ${name}`, { resumable: false, metadata: { metadata: { index: String(i) } } });
});

describe('buckets', () => {
  it('answers a bucket resource, and 404 in the JSON API error shape for an unknown bucket', async () => {
    const [meta] = await bucket.getMetadata();
    expect(meta).toMatchObject({ kind: 'storage#bucket', name: BUCKET, id: BUCKET });
    await expectGcsError(await fetch(`${url}/storage/v1/b/no-such-bucket`), 404);
    await expect(storage.bucket('no-such-bucket').getFiles()).rejects.toMatchObject({ code: 404 });
  });

  it('serves a client configured by STORAGE_EMULATOR_HOST alone (JSON API calls without /storage/v1)', async () => {
    const fromEnv = new Storage({ projectId: 'emulator-tests' });
    const [files] = await fromEnv.bucket(BUCKET).getFiles({ prefix: 'dir2/' });
    expect(files.map((f) => f.name)).toEqual(['dir2/four.txt']);
    const [bytes] = await fromEnv.bucket(BUCKET).file('dir2/four.txt').download();
    expect(bytes.toString()).toBe('content of dir2/four.txt');
  });

  it('refuses a second bucket of the same name with 409', async () => {
    await expect(storage.createBucket(BUCKET)).rejects.toMatchObject({ code: 409 });
  });

  it('deletes only empty buckets', async () => {
    const [spare] = await storage.createBucket('emulator-spare-bucket');
    await spare.file('x').save('x', { resumable: false });
    await expect(spare.delete()).rejects.toMatchObject({ code: 409 });
    await spare.file('x').delete();
    await spare.delete();
    expect((await spare.exists())[0]).toBe(false);
  });
});

describe('listing', () => {
  it('lists everything in name order', async () => {
    const [files] = await bucket.getFiles();
    expect(files.map((f) => f.name)).toEqual([...NAMES].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
  });

  it('filters by prefix', async () => {
    const [files] = await bucket.getFiles({ prefix: 'dir/' });
    expect(files.map((f) => f.name)).toEqual(['dir/one.txt', 'dir/sub/three.txt', 'dir/two.txt']);
  });

  it('rolls names up to prefixes with a delimiter', async () => {
    const [files, , response] = await bucket.getFiles({ delimiter: '/', autoPaginate: false });
    expect(files.map((f) => f.name)).toEqual(['a.txt', 'zz.txt']);
    expect((response as { prefixes: string[] }).prefixes).toEqual(['dir/', 'dir2/', 'z/']);
    const [inDir, , inDirResponse] = await bucket.getFiles({ prefix: 'dir/', delimiter: '/', autoPaginate: false });
    expect(inDir.map((f) => f.name)).toEqual(['dir/one.txt', 'dir/two.txt']);
    expect((inDirResponse as { prefixes: string[] }).prefixes).toEqual(['dir/sub/']);
  });

  it('pages with maxResults and pageToken, prefixes counting as entries', async () => {
    const seen: string[] = [];
    let query: { delimiter: string; maxResults: number; autoPaginate: false; pageToken?: string } | null = {
      delimiter: '/',
      maxResults: 2,
      autoPaginate: false,
    };
    let pages = 0;
    while (query) {
      const [files, next, response] = await bucket.getFiles(query);
      const entries = [...files.map((f) => f.name), ...((response as { prefixes?: string[] }).prefixes ?? [])];
      expect(entries.length).toBeLessThanOrEqual(2);
      seen.push(...entries);
      pages += 1;
      query = next as typeof query;
    }
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual(['a.txt', 'dir/', 'dir2/', 'z/', 'zz.txt']);
    // Without a delimiter, following nextPageToken by hand visits every name once.
    const names: string[] = [];
    let token = '';
    do {
      const res = await fetch(`${url}/storage/v1/b/${BUCKET}/o?maxResults=3${token ? `&pageToken=${token}` : ''}`);
      const page = (await res.json()) as { items: Array<{ name: string }>; nextPageToken?: string };
      names.push(...page.items.map((i) => i.name));
      token = page.nextPageToken ?? '';
    } while (token);
    expect(names).toHaveLength(NAMES.length);
    expect(new Set(names)).toEqual(new Set(NAMES));
  });

  it('refuses a malformed page token', async () => {
    await expectGcsError(await fetch(`${url}/storage/v1/b/${BUCKET}/o?pageToken=%%%`), 400);
  });
});

describe('objects', () => {
  it('keeps names with slashes, unicode and reserved characters intact', async () => {
    const name = 'z/ünïcødé name+plus?.txt';
    const [meta] = await bucket.file(name).getMetadata();
    expect(meta.name).toBe(name);
    expect(meta.metadata).toEqual({ index: '5' });
    const [bytes] = await bucket.file(name).download();
    expect(bytes.toString()).toBe(`content of ${name}`);
    // Also by the mediaLink and through the download path.
    const media = await fetch(meta.mediaLink as string);
    expect(await media.text()).toBe(`content of ${name}`);
    expect(media.headers.get('x-goog-hash')).toBe(`crc32c=${meta.crc32c},md5=${meta.md5Hash}`);
  });

  it('stores uploadType=media bodies with their Content-Type', async () => {
    const data = pattern(70_000, 3);
    const res = await fetch(`${url}/upload/storage/v1/b/${BUCKET}/o?uploadType=media&name=media%2Fbody.bin`, {
      method: 'POST',
      headers: { 'Content-Type': 'image/png' },
      body: data,
    });
    expect(res.status).toBe(200);
    const created = (await res.json()) as Record<string, string>;
    expect(created).toMatchObject({ name: 'media/body.bin', contentType: 'image/png', size: '70000', md5Hash: md5(data) });
    const [bytes] = await bucket.file('media/body.bin').download();
    expect(bytes.equals(data)).toBe(true);
  });

  it('stores multipart uploads and verifies the md5Hash they state', async () => {
    const data = pattern(50_000, 4);
    await bucket.file('multi.bin').save(data, { resumable: false, metadata: { contentType: 'text/plain' } });
    const [meta] = await bucket.file('multi.bin').getMetadata();
    expect(meta).toMatchObject({ contentType: 'text/plain', md5Hash: md5(data), size: '50000' });

    const boundary = 'xyz';
    const body = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Type: application/json\r\n\r\n${JSON.stringify({ name: 'multi-bad.bin', md5Hash: md5(Buffer.from('other')) })}\r\n`,
      ),
      Buffer.from(`--${boundary}\r\nContent-Type: application/octet-stream\r\n\r\n`),
      data,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const res = await fetch(`${url}/upload/storage/v1/b/${BUCKET}/o?uploadType=multipart`, {
      method: 'POST',
      headers: { 'Content-Type': `multipart/related; boundary=${boundary}` },
      body,
    });
    await expectGcsError(res, 400);
    expect((await bucket.file('multi-bad.bin').exists())[0]).toBe(false);
  });

  it('refuses a multipart body without its closing boundary', async () => {
    const res = await fetch(`${url}/upload/storage/v1/b/${BUCKET}/o?uploadType=multipart&name=cut.bin`, {
      method: 'POST',
      headers: { 'Content-Type': 'multipart/related; boundary=b' },
      body: '--b\r\nContent-Type: application/json\r\n\r\n{}\r\n--b\r\n\r\nbytes',
    });
    await expectGcsError(res, 400);
    expect((await bucket.file('cut.bin').exists())[0]).toBe(false);
  });

  it('overwrites with a new generation', async () => {
    const file = bucket.file('overwrite.txt');
    await file.save('one', { resumable: false });
    const [first] = await file.getMetadata();
    await file.save('two', { resumable: false });
    const [second] = await file.getMetadata();
    expect(BigInt(second.generation as string)).toBeGreaterThan(BigInt(first.generation as string));
    expect((await file.download())[0].toString()).toBe('two');
  });

  it('honours ifGenerationMatch on get and delete', async () => {
    const file = bucket.file('guarded.txt');
    await file.save('guarded', { resumable: false });
    const [meta] = await file.getMetadata();
    await expectGcsError(await fetch(`${url}/storage/v1/b/${BUCKET}/o/guarded.txt?ifGenerationMatch=1`), 412);
    await expect(file.delete({ ifGenerationMatch: 1 })).rejects.toMatchObject({ code: 412 });
    expect((await file.exists())[0]).toBe(true);
    await file.delete({ ifGenerationMatch: Number(meta.generation) });
    expect((await file.exists())[0]).toBe(false);
  });

  it('deletes with 204, then answers 404', async () => {
    const file = bucket.file('doomed.txt');
    await file.save('doomed', { resumable: false });
    const res = await fetch(`${url}/storage/v1/b/${BUCKET}/o/doomed.txt`, { method: 'DELETE' });
    expect(res.status).toBe(204);
    await expectGcsError(await fetch(`${url}/storage/v1/b/${BUCKET}/o/doomed.txt`), 404);
    await expect(file.delete()).rejects.toMatchObject({ code: 404 });
    await expect(file.download()).rejects.toMatchObject({ code: 404 });
  });

  it('answers 206 with Content-Range for ranges, and 416 past the end', async () => {
    const objectUrl = `${url}/download/storage/v1/b/${BUCKET}/o/a.txt?alt=media`;
    const partial = await fetch(objectUrl, { headers: { Range: 'bytes=-3' } });
    expect(partial.status).toBe(206);
    // The object holds "content of a.txt" (16 bytes).
    expect(partial.headers.get('content-range')).toBe('bytes 13-15/16');
    expect(await partial.text()).toBe('txt');
    const middle = await fetch(objectUrl, { headers: { Range: 'bytes=0-6' } });
    expect(middle.status).toBe(206);
    expect(await middle.text()).toBe('content');
    const past = await fetch(objectUrl, { headers: { Range: 'bytes=100-' } });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe('bytes */16');
  });
});
