import http from 'node:http';
import { gzipSync } from 'node:zlib';
import { expectGcsError, pattern, put, QUANTUM, sharedEmulatorUrl, startSession, storageClient } from './helpers';

// Behaviours of Cloud Storage that clients rely on, beyond the basic protocol.
const url = sharedEmulatorUrl();
const BUCKET = 'emulator-storage-behaviours';
const data = pattern(3 * QUANTUM + 17, 31);

beforeAll(async () => {
  await storageClient(url).createBucket(BUCKET);
});

const range = (res: Response) => res.headers.get('range');

describe('X-GUploader-No-308 (Go clients)', () => {
  it('answers "resume incomplete" as 200 with X-Http-Status-Code-Override: 308 and the Range', async () => {
    const uri = await startSession(url, BUCKET, 'no-308.bin');
    const noThreeOhEight = { 'X-GUploader-No-308': 'yes' };
    let res = await put(uri, undefined, 'bytes */*', noThreeOhEight);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-http-status-code-override')).toBe('308');
    expect(range(res)).toBeNull();
    res = await put(uri, data.subarray(0, QUANTUM), `bytes 0-${QUANTUM - 1}/*`, noThreeOhEight);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-http-status-code-override')).toBe('308');
    expect(range(res)).toBe(`bytes=0-${QUANTUM - 1}`);
    expect(await res.text()).toBe('');
    // Without the header, the same session answers a real 308.
    expect((await put(uri, undefined, 'bytes */*')).status).toBe(308);
    // The final answer is the object, with no override.
    res = await put(uri, data.subarray(QUANTUM), `bytes ${QUANTUM}-${data.length - 1}/${data.length}`, noThreeOhEight);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-http-status-code-override')).toBeNull();
    expect(await res.json()).toMatchObject({ name: 'no-308.bin', size: String(data.length) });
  });
});

describe('non-final chunks', () => {
  it('refuses one under 256 KiB with 400 as Cloud Storage does, keeping what came before', async () => {
    const uri = await startSession(url, BUCKET, 'short-chunk.bin');
    expect(range(await put(uri, data.subarray(0, QUANTUM), `bytes 0-${QUANTUM - 1}/*`))).toBe(`bytes=0-${QUANTUM - 1}`);
    for (const contentRange of [`bytes ${QUANTUM}-${QUANTUM + 999}/*`, `bytes ${QUANTUM}-${QUANTUM + 999}/${data.length}`]) {
      const message = await expectGcsError(await put(uri, data.subarray(QUANTUM, QUANTUM + 1000), contentRange), 400);
      expect(message).toContain(
        'The number of bytes uploaded is required to be equal or greater than 262144, except for the final request',
      );
      expect(message).toContain('1000 bytes');
    }
    expect(range(await put(uri, undefined, 'bytes */*'))).toBe(`bytes=0-${QUANTUM - 1}`);
    // A final chunk may be short; so may a non-final one of 256 KiB or more (only whole units stay).
    expect(range(await put(uri, data.subarray(QUANTUM, 2 * QUANTUM + 100), `bytes ${QUANTUM}-${2 * QUANTUM + 99}/*`))).toBe(
      `bytes=0-${2 * QUANTUM - 1}`,
    );
    const done = await put(uri, data.subarray(2 * QUANTUM), `bytes ${2 * QUANTUM}-${data.length - 1}/${data.length}`);
    expect(done.status).toBe(200);
    expect((await storageClient(url).bucket(BUCKET).file('short-chunk.bin').download())[0].equals(data)).toBe(true);
  });
});

describe('object names', () => {
  it.each(['.', '..', '.well-known/acme-challenge/token'])('refuses %j on every way in', async (name) => {
    const encoded = encodeURIComponent(name);
    await expectGcsError(
      await fetch(`${url}/upload/storage/v1/b/${BUCKET}/o?uploadType=resumable&name=${encoded}`, { method: 'POST' }),
      400,
    );
    await expectGcsError(
      await fetch(`${url}/upload/storage/v1/b/${BUCKET}/o?uploadType=media&name=${encoded}`, { method: 'POST', body: 'x' }),
      400,
    );
    await storageClient(url).bucket(BUCKET).file('name-source').save('x', { resumable: false });
    // Sent as is: fetch would resolve `.` and `..` (even as %2E) out of the path.
    const copy = await rawRequest('POST', `/storage/v1/b/${BUCKET}/o/name-source/copyTo/b/${BUCKET}/o/${encoded.replace(/\./g, '%2E')}`);
    expect(copy.status).toBe(400);
    expect(JSON.parse(copy.body.toString())).toMatchObject({ error: { code: 400 } });
  });

  it('accepts names that merely contain dots', async () => {
    for (const name of ['...', './x', 'a/../b', '.well-known/other']) {
      const res = await fetch(`${url}/upload/storage/v1/b/${BUCKET}/o?uploadType=media&name=${encodeURIComponent(name)}`, {
        method: 'POST',
        body: 'x',
      });
      expect(res.status).toBe(200);
    }
  });
});

interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A request with exactly this path and these headers (fetch would add Accept-Encoding,
 * decompress, and resolve dot segments). */
function rawRequest(method: string, path: string, headers: Record<string, string> = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url);
    const req = http.request({ hostname, port, path, method, headers }, (res) => {
      const pieces: Buffer[] = [];
      res.on('data', (piece: Buffer) => pieces.push(piece));
      res.once('end', () => resolve({ status: res.statusCode as number, headers: res.headers, body: Buffer.concat(pieces) }));
    });
    req.once('error', reject);
    req.end();
  });
}

const rawGet = (target: string, headers: Record<string, string>) => rawRequest('GET', target.slice(url.length), headers);

describe('decompressive transcoding', () => {
  const text = Buffer.from('plain text, stored compressed. '.repeat(2000));
  const gzipped = gzipSync(text);
  const media = (name: string) => `${url}/download/storage/v1/b/${BUCKET}/o/${name}?alt=media`;

  beforeAll(async () => {
    const bucket = storageClient(url).bucket(BUCKET);
    await bucket.file('gzipped.txt').save(gzipped, { resumable: false, metadata: { contentType: 'text/plain', contentEncoding: 'gzip' } });
    await bucket
      .file('no-transform.txt')
      .save(gzipped, { resumable: false, metadata: { contentType: 'text/plain', contentEncoding: 'gzip', cacheControl: 'no-transform' } });
  });

  it('serves the object decompressed to a client that does not accept gzip, without length or hashes', async () => {
    for (const headers of [{}, { 'Accept-Encoding': 'identity' }, { 'Accept-Encoding': 'gzip;q=0, br' }] as Array<Record<string, string>>) {
      const res = await rawGet(media('gzipped.txt'), headers);
      expect(res.status).toBe(200);
      expect(res.body.equals(text)).toBe(true);
      expect(res.headers['content-encoding']).toBeUndefined();
      expect(res.headers['content-length']).toBeUndefined();
      expect(res.headers['x-goog-hash']).toBeUndefined();
      expect(res.headers['x-goog-stored-content-encoding']).toBe('gzip');
      expect(res.headers['x-goog-stored-content-length']).toBe(String(gzipped.length));
    }
    // Range is ignored while transcoding: the whole object, 200.
    const ranged = await rawGet(media('gzipped.txt'), { Range: 'bytes=0-9' });
    expect(ranged.status).toBe(200);
    expect(ranged.body.equals(text)).toBe(true);
  });

  it('serves the stored gzip bytes to a client that accepts gzip, and whenever Cache-Control says no-transform', async () => {
    const accepting = await rawGet(media('gzipped.txt'), { 'Accept-Encoding': 'gzip, deflate' });
    expect(accepting.body.equals(gzipped)).toBe(true);
    expect(accepting.headers).toMatchObject({ 'content-encoding': 'gzip', 'content-length': String(gzipped.length) });
    expect(accepting.headers['x-goog-hash']).toContain('md5=');
    const noTransform = await rawGet(media('no-transform.txt'), {});
    expect(noTransform.body.equals(gzipped)).toBe(true);
    expect(noTransform.headers['content-encoding']).toBe('gzip');
  });

  it('gives the official client the original text either way', async () => {
    const [bytes] = await storageClient(url).bucket(BUCKET).file('gzipped.txt').download();
    expect(bytes.equals(text)).toBe(true);
  });
});
