import { statSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { expectGcsError, md5, MIB, pattern, put, QUANTUM, sharedEmulatorUrl, startSession, storageClient } from './helpers';

// The resumable protocol by hand (GCS-RESUMABLE.md §1-2): every answer, and every malformed request.
const url = sharedEmulatorUrl();
const BUCKET = 'emulator-session-protocol';
const data = pattern(4 * QUANTUM + 1000, 21);

beforeAll(async () => {
  await storageClient(url).createBucket(BUCKET);
});

const session = (name: string, options?: Parameters<typeof startSession>[3]) => startSession(url, BUCKET, name, options);
const range = (res: Response) => res.headers.get('range');
const uploadIdOf = (uri: string) => new URL(uri).searchParams.get('upload_id') as string;

async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    const value = await probe();
    if (done(value) || attempt > 200) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('session start', () => {
  it('answers 200 with Location and X-GUploader-UploadID, and an empty body', async () => {
    const res = await fetch(`${url}/upload/storage/v1/b/${BUCKET}/o?uploadType=resumable`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Upload-Content-Type': 'text/plain', 'X-Upload-Content-Length': '5' },
      body: JSON.stringify({ name: 'named/in body.txt', metadata: { k: 'v' } }),
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    const location = new URL(res.headers.get('location') as string);
    expect(location.pathname).toBe(`/upload/storage/v1/b/${BUCKET}/o`);
    expect(location.searchParams.get('uploadType')).toBe('resumable');
    expect(location.searchParams.get('name')).toBe('named/in body.txt');
    const uploadId = location.searchParams.get('upload_id') as string;
    expect(uploadId).toMatch(/^[A-Za-z0-9_-]{22,}$/); // base64url, ≥ 128 bits
    expect(res.headers.get('x-guploader-uploadid')).toBe(uploadId);
    const done = await put(location.href, Buffer.from('hello'));
    expect(done.status).toBe(200);
    expect(await done.json()).toMatchObject({ name: 'named/in body.txt', contentType: 'text/plain', size: '5', metadata: { k: 'v' } });
  });

  it('gives every session its own id', async () => {
    const ids = new Set(await Promise.all([1, 2, 3, 4, 5].map(() => session('same-name').then(uploadIdOf))));
    expect(ids.size).toBe(5);
  });

  it('refuses an unknown bucket (404), a missing or invalid name and malformed pins (400)', async () => {
    await expectGcsError(await fetch(`${url}/upload/storage/v1/b/no-such-bucket/o?uploadType=resumable&name=x`, { method: 'POST' }), 404);
    await expectGcsError(await fetch(`${url}/upload/storage/v1/b/${BUCKET}/o?uploadType=resumable`, { method: 'POST' }), 400);
    for (const name of ['line\nbreak', 'x'.repeat(1025)]) {
      await expectGcsError(
        await fetch(`${url}/upload/storage/v1/b/${BUCKET}/o?uploadType=resumable&name=${encodeURIComponent(name)}`, { method: 'POST' }),
        400,
      );
    }
    await expectGcsError(
      await fetch(`${url}/upload/storage/v1/b/${BUCKET}/o?uploadType=resumable&name=x`, {
        method: 'POST',
        headers: { 'X-Upload-Content-Length': 'ten' },
      }),
      400,
    );
    await expectGcsError(
      await fetch(`${url}/upload/storage/v1/b/${BUCKET}/o?uploadType=resumable&name=x`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ md5Hash: 'not base64 of 16 bytes' }),
      }),
      400,
    );
  });
});

describe('sending bytes', () => {
  it('walks through chunks, resends, overlaps, status queries and the final chunk', async () => {
    const uri = await session('walk.bin');
    let res = await put(uri, undefined, 'bytes */*');
    expect(res.status).toBe(308);
    expect(range(res)).toBeNull(); // nothing persisted yet

    res = await put(uri, data.subarray(0, QUANTUM), `bytes 0-${QUANTUM - 1}/*`);
    expect(res.status).toBe(308);
    expect(range(res)).toBe(`bytes=0-${QUANTUM - 1}`);

    // A resend of persisted bytes is harmless.
    res = await put(uri, data.subarray(0, QUANTUM), `bytes 0-${QUANTUM - 1}/*`);
    expect(res.status).toBe(308);
    expect(range(res)).toBe(`bytes=0-${QUANTUM - 1}`);

    // An overlapping chunk: the known part is skipped, the rest appended.
    res = await put(uri, data.subarray(0, 2 * QUANTUM), `bytes 0-${2 * QUANTUM - 1}/*`);
    expect(range(res)).toBe(`bytes=0-${2 * QUANTUM - 1}`);

    // A non-final chunk that is not a multiple of 256 KiB: only whole units are kept.
    res = await put(uri, data.subarray(2 * QUANTUM, 2 * QUANTUM + 300_000), `bytes ${2 * QUANTUM}-${2 * QUANTUM + 300_000 - 1}/*`);
    expect(res.status).toBe(308);
    expect(range(res)).toBe(`bytes=0-${3 * QUANTUM - 1}`);

    res = await put(uri, undefined, `bytes */${data.length}`);
    expect(res.status).toBe(308);
    expect(range(res)).toBe(`bytes=0-${3 * QUANTUM - 1}`);

    res = await put(uri, data.subarray(3 * QUANTUM), `bytes ${3 * QUANTUM}-${data.length - 1}/${data.length}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ name: 'walk.bin', size: String(data.length), md5Hash: md5(data) });

    // Complete: a status query (and a late resend) answer 200 with the object.
    for (const again of [
      put(uri, undefined, 'bytes */*'),
      put(uri, data.subarray(3 * QUANTUM), `bytes ${3 * QUANTUM}-${data.length - 1}/${data.length}`),
    ]) {
      const answer = await again;
      expect(answer.status).toBe(200);
      expect(await answer.json()).toMatchObject({ size: String(data.length), md5Hash: md5(data) });
    }
  });

  it('accepts a one-shot PUT with Content-Length', async () => {
    const uri = await session('one-shot.bin', { headers: { 'X-Upload-Content-Length': String(data.length) } });
    const res = await put(uri, data);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ size: String(data.length), md5Hash: md5(data) });
  });

  it('accepts a streamed body with an open range (bytes 0-*/*), ending the object with the body', async () => {
    const uri = await session('streamed.bin');
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < data.length; at += 100_000) controller.enqueue(data.subarray(at, at + 100_000));
        controller.close();
      },
    });
    const res = await fetch(uri, { method: 'PUT', headers: { 'Content-Range': 'bytes 0-*/*' }, body, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ size: String(data.length), md5Hash: md5(data) });
  });

  it('completes an upload of unknown size with a status query stating the total', async () => {
    const uri = await session('total-at-the-end.bin');
    expect((await put(uri, data.subarray(0, 2 * QUANTUM), `bytes 0-${2 * QUANTUM - 1}/*`)).status).toBe(308);
    const res = await put(uri, undefined, `bytes */${2 * QUANTUM}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ size: String(2 * QUANTUM), md5Hash: md5(data.subarray(0, 2 * QUANTUM)) });
  });

  it('also takes chunks by POST, as older clients send them', async () => {
    const uri = await session('by-post.bin');
    const res = await fetch(uri, { method: 'POST', headers: { 'Content-Range': `bytes 0-999/1000` }, body: data.subarray(0, 1000) });
    expect(res.status).toBe(200);
  });
});

describe('refusals', () => {
  it.each([
    ['not a range', 'bytes abc'],
    ['another unit', 'items 0-1/2'],
    ['no total', 'bytes 0-1'],
    ['ends before it starts', 'bytes 10-5/100'],
    ['runs past its own total', 'bytes 0-20/10'],
    ['negative numbers', 'bytes -5-10/100'],
  ])('400 for a malformed Content-Range (%s)', async (_why, header) => {
    const uri = await session('malformed.bin');
    await expectGcsError(await put(uri, Buffer.alloc(11), header), 400);
  });

  it('400 for a gap: a first byte beyond what is persisted, which stays as it was', async () => {
    const uri = await session('gap.bin');
    await put(uri, data.subarray(0, QUANTUM), `bytes 0-${QUANTUM - 1}/*`);
    await expectGcsError(await put(uri, data.subarray(2 * QUANTUM, 3 * QUANTUM), `bytes ${2 * QUANTUM}-${3 * QUANTUM - 1}/*`), 400);
    expect(range(await put(uri, undefined, 'bytes */*'))).toBe(`bytes=0-${QUANTUM - 1}`);
  });

  it('400 when Content-Length disagrees with the range', async () => {
    const uri = await session('length-mismatch.bin');
    await expectGcsError(await put(uri, data.subarray(0, 1000), `bytes 0-1999/*`), 400);
  });

  it('400 for a streamed body longer than its range, keeping the whole units that fit', async () => {
    const uri = await session('too-long.bin');
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(data.subarray(0, QUANTUM + 5000));
        controller.close();
      },
    });
    const res = await fetch(uri, {
      method: 'PUT',
      headers: { 'Content-Range': `bytes 0-${QUANTUM - 1}/*` },
      body,
      duplex: 'half',
    } as RequestInit);
    await expectGcsError(res, 400);
    expect(range(await put(uri, undefined, 'bytes */*'))).toBe(`bytes=0-${QUANTUM - 1}`);
  });

  it('400 for a total that contradicts X-Upload-Content-Length, or bytes past it', async () => {
    const uri = await session('pinned.bin', { headers: { 'X-Upload-Content-Length': String(QUANTUM) } });
    await expectGcsError(await put(uri, data.subarray(0, QUANTUM), `bytes 0-${QUANTUM - 1}/${QUANTUM + 1}`), 400);
    await expectGcsError(await put(uri, undefined, `bytes */${2 * QUANTUM}`), 400);
    await expectGcsError(await put(uri, data.subarray(0, 2 * QUANTUM), `bytes 0-${2 * QUANTUM - 1}/*`), 400);
    await expectGcsError(await put(uri, data.subarray(0, QUANTUM + 1)), 400);
    // The session survives refusals: the right bytes still complete it.
    const done = await put(uri, data.subarray(0, QUANTUM), `bytes 0-${QUANTUM - 1}/${QUANTUM}`);
    expect(done.status).toBe(200);
  });

  it('400 for a total that contradicts an earlier one, or is below what is persisted', async () => {
    const uri = await session('declared.bin');
    expect((await put(uri, data.subarray(0, QUANTUM), `bytes 0-${QUANTUM - 1}/${3 * QUANTUM}`)).status).toBe(308);
    await expectGcsError(await put(uri, data.subarray(QUANTUM, 2 * QUANTUM), `bytes ${QUANTUM}-${2 * QUANTUM - 1}/${4 * QUANTUM}`), 400);
    await expectGcsError(await put(uri, undefined, `bytes */${QUANTUM - 1}`), 400);
  });

  it('400 for a status query with a body', async () => {
    const uri = await session('query-body.bin');
    await expectGcsError(await put(uri, Buffer.from('x'), 'bytes */*'), 400);
  });

  it('404 for unknown, malformed or misplaced session ids', async () => {
    const uri = await session('known.bin');
    const unknown = new URL(uri);
    unknown.searchParams.set('upload_id', 'A'.repeat(32));
    await expectGcsError(await put(unknown.href, Buffer.from('x')), 404);
    unknown.searchParams.set('upload_id', '../../etc/passwd');
    await expectGcsError(await put(unknown.href, Buffer.from('x')), 404);
    await expectGcsError(await put(uri.replace(`/b/${BUCKET}/`, '/b/other-bucket/'), Buffer.from('x')), 404);
  });

  it('400 and no object when the bytes miss the md5Hash or crc32c given at the start; the session ends', async () => {
    for (const pin of [{ md5Hash: md5(Buffer.from('other')) }, { crc32c: 'AAAAAA==' }]) {
      const uri = await session('checksum.bin', { body: pin });
      await expectGcsError(await put(uri, data), 400);
      await expectGcsError(await fetch(`${url}/storage/v1/b/${BUCKET}/o/checksum.bin`), 404);
      await expectGcsError(await put(uri, undefined, 'bytes */*'), 404);
    }
  });

  it('400 and no object when X-Goog-Hash of the last request contradicts the bytes', async () => {
    const uri = await session('goog-hash.bin');
    await expectGcsError(await put(uri, data.subarray(0, 1000), undefined, { 'X-Goog-Hash': `md5=${md5(Buffer.from('other'))}` }), 400);
    await expectGcsError(await fetch(`${url}/storage/v1/b/${BUCKET}/o/goog-hash.bin`), 404);
    const ok = await session('goog-hash-ok.bin');
    expect((await put(ok, data.subarray(0, 1000), undefined, { 'X-Goog-Hash': `md5=${md5(data.subarray(0, 1000))}` })).status).toBe(200);
  });

  it('412 at finalize for ifGenerationMatch=0 when the object exists, which stays as it was', async () => {
    const first = await session('taken.bin', { query: '&ifGenerationMatch=0' });
    const original = (await (await put(first, Buffer.from('original'))).json()) as { generation: string };
    const second = await session('taken.bin', { query: '&ifGenerationMatch=0' });
    await expectGcsError(await put(second, Buffer.from('replacement')), 412);
    const now = (await (await fetch(`${url}/storage/v1/b/${BUCKET}/o/taken.bin`)).json()) as { generation: string };
    expect(now.generation).toBe(original.generation);
    expect(await (await fetch(`${url}/storage/v1/b/${BUCKET}/o/taken.bin?alt=media`)).text()).toBe('original');
  });
});

describe('cancel', () => {
  it('answers 499 to DELETE, then 404', async () => {
    const uri = await session('cancelled.bin');
    await put(uri, data.subarray(0, QUANTUM), `bytes 0-${QUANTUM - 1}/*`);
    const res = await fetch(uri, { method: 'DELETE' });
    expect(res.status).toBe(499);
    await expectGcsError(await put(uri, undefined, 'bytes */*'), 404);
    await expectGcsError(await put(uri, data.subarray(QUANTUM, 2 * QUANTUM), `bytes ${QUANTUM}-${2 * QUANTUM - 1}/*`), 404);
    await expectGcsError(await fetch(uri, { method: 'DELETE' }), 404);
  });
});

describe('partial objects and dropped connections', () => {
  it('shows no object while an upload is unfinished', async () => {
    const uri = await session('unfinished/object.bin');
    await put(uri, data.subarray(0, 2 * QUANTUM), `bytes 0-${2 * QUANTUM - 1}/${data.length}`);
    await expectGcsError(await fetch(`${url}/storage/v1/b/${BUCKET}/o/unfinished%2Fobject.bin`), 404);
    await expectGcsError(await fetch(`${url}/download/storage/v1/b/${BUCKET}/o/unfinished%2Fobject.bin?alt=media`), 404);
    const listing = (await (await fetch(`${url}/storage/v1/b/${BUCKET}/o?prefix=unfinished`)).json()) as { items?: unknown[] };
    expect(listing.items).toBeUndefined();
  });

  it('keeps the whole units of a chunk cut off mid-body, and the client resumes from there', async () => {
    const big = pattern(MIB, 22);
    const uri = await session('cut-off.bin');
    const target = new URL(uri);
    const socket = net.connect(Number(target.port), target.hostname);
    await new Promise((r) => socket.once('connect', r));
    socket.write(
      `PUT ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\nContent-Length: ${MIB}\r\nContent-Range: bytes 0-${MIB - 1}/${MIB}\r\n\r\n`,
    );
    await new Promise((r) => socket.write(big.subarray(0, 2 * QUANTUM + 1000), r));
    socket.end(); // the client goes away with half a chunk sent
    const status = await eventually(
      () => put(uri, undefined, 'bytes */*'),
      (res) => range(res) === `bytes=0-${2 * QUANTUM - 1}`,
    );
    expect(range(status)).toBe(`bytes=0-${2 * QUANTUM - 1}`);
    const rest = await put(uri, big.subarray(2 * QUANTUM), `bytes ${2 * QUANTUM}-${MIB - 1}/${MIB}`);
    expect(rest.status).toBe(200);
    expect(await rest.json()).toMatchObject({ size: String(MIB), md5Hash: md5(big) });
  });

  it('lets a newer request take over from a stalled one', async () => {
    const big = pattern(MIB, 23);
    const uri = await session('stalled.bin');
    const target = new URL(uri);
    const stalled = net.connect(Number(target.port), target.hostname);
    const closed = new Promise((r) => stalled.once('close', r));
    stalled.on('error', () => undefined);
    stalled.write(
      `PUT ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\nContent-Length: ${MIB}\r\nContent-Range: bytes 0-${MIB - 1}/${MIB}\r\n\r\n`,
    );
    stalled.write(big.subarray(0, QUANTUM + 1000));
    // Wait until the emulator is writing the stalled request's bytes, then resume "from another client".
    const part = join(process.env.TEST_STORAGE_DATA_DIR as string, 'sessions', `${uploadIdOf(uri)}.part`);
    await eventually(
      async () => statSync(part).size,
      (size) => size > QUANTUM,
    );
    const res = await put(uri, big, `bytes 0-${MIB - 1}/${MIB}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ md5Hash: md5(big) });
    await closed; // the stalled request was cut off
  });
});

describe('CORS', () => {
  const origin = 'https://app.example.test';

  it('answers preflights and every answer on a session started with an Origin', async () => {
    const uri = await session('cors.bin', { headers: { Origin: origin } });
    const preflight = await fetch(uri, {
      method: 'OPTIONS',
      headers: { Origin: origin, 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'content-range,content-type' },
    });
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(origin);
    const methods = preflight.headers.get('access-control-allow-methods') as string;
    for (const method of ['PUT', 'POST', 'DELETE', 'OPTIONS']) expect(methods).toContain(method);
    const allowed = (preflight.headers.get('access-control-allow-headers') as string).toLowerCase();
    expect(allowed).toContain('content-range');
    expect(allowed).toContain('content-type');

    const answers = [
      await put(uri, data.subarray(0, QUANTUM), `bytes 0-${QUANTUM - 1}/*`, { Origin: origin }),
      await put(uri, Buffer.alloc(3), 'bytes 9-1/2', { Origin: origin }),
      await put(uri, data.subarray(QUANTUM, QUANTUM + 10), `bytes ${QUANTUM}-${QUANTUM + 9}/${QUANTUM + 10}`, { Origin: origin }),
    ];
    expect(answers.map((a) => a.status)).toEqual([308, 400, 200]);
    for (const answer of answers) {
      expect(answer.headers.get('access-control-allow-origin')).toBe(origin);
      const exposed = (answer.headers.get('access-control-expose-headers') as string).toLowerCase();
      for (const header of ['range', 'x-guploader-uploadid', 'location']) expect(exposed).toContain(header);
    }
  });

  it('allows no origin on a session started without one', async () => {
    const uri = await session('no-cors.bin');
    const res = await put(uri, undefined, 'bytes */*', { Origin: origin });
    expect(res.status).toBe(308);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});
