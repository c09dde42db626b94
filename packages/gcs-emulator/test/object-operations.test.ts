import type { Bucket } from '@google-cloud/storage';
import { crc32c, expectGcsError, md5, pattern, sharedEmulatorUrl, storageClient } from './helpers';

// compose, patch/update, rewrite/copy/move and the conditions on them: through the
// official Node client where it has a call, by hand for what it does not send.
const url = sharedEmulatorUrl();
const storage = storageClient(url);
const BUCKET = 'emulator-object-operations';
const api = `${url}/storage/v1/b/${BUCKET}/o`;
let bucket: Bucket;

beforeAll(async () => {
  [bucket] = await storage.createBucket(BUCKET);
});

function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${api}/${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
}

describe('compose', () => {
  const parts = [pattern(300_000, 1), pattern(1, 2), pattern(0, 3), pattern(123_457, 4)];
  const whole = Buffer.concat(parts);

  beforeAll(async () => {
    for (const [i, data] of parts.entries()) await bucket.file(`part-${i}`).save(data, { resumable: false });
  });

  it('joins sources end to end (Node combine): CRC32C and componentCount, no MD5, as in Cloud Storage', async () => {
    const [combined] = await bucket.combine(
      parts.map((_, i) => bucket.file(`part-${i}`)),
      bucket.file('composed.bin'),
    );
    const [meta] = await combined.getMetadata();
    expect(meta).toMatchObject({ size: String(whole.length), crc32c: crc32c(whole), componentCount: 4 });
    expect(meta.md5Hash).toBeUndefined();
    const [bytes] = await combined.download();
    expect(bytes.equals(whole)).toBe(true);
    // A composite of composites counts every component.
    const [again] = await bucket.combine([combined, bucket.file('part-0')], bucket.file('composed-twice.bin'));
    expect((await again.getMetadata())[0].componentCount).toBe(5);
  });

  it('sets the destination resource and honours source generations and preconditions', async () => {
    const [meta0] = await bucket.file('part-0').getMetadata();
    const ok = await post('with-meta.bin/compose', {
      sourceObjects: [
        { name: 'part-0', generation: meta0.generation, objectPreconditions: { ifGenerationMatch: meta0.generation } },
        { name: 'part-1' },
      ],
      destination: { contentType: 'text/x-joined', metadata: { joined: 'yes' } },
    });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({
      name: 'with-meta.bin',
      contentType: 'text/x-joined',
      metadata: { joined: 'yes' },
      crc32c: crc32c(Buffer.concat(parts.slice(0, 2))),
    });

    await expectGcsError(await post('x.bin/compose', { sourceObjects: [{ name: 'part-0', generation: '1' }] }), 404);
    await expectGcsError(
      await post('x.bin/compose', { sourceObjects: [{ name: 'part-0', objectPreconditions: { ifGenerationMatch: '1' } }] }),
      412,
    );
    await expectGcsError(await post('x.bin/compose', { sourceObjects: [{ name: 'missing' }] }), 404);
    await expectGcsError(await post('x.bin/compose', { sourceObjects: [] }), 400);
    await expectGcsError(await post('x.bin/compose', { sourceObjects: Array.from({ length: 33 }, () => ({ name: 'part-1' })) }), 400);
    // The destination's own conditions.
    await expectGcsError(
      await fetch(`${api}/with-meta.bin/compose?ifGenerationMatch=0`, {
        method: 'POST',
        body: JSON.stringify({ sourceObjects: [{ name: 'part-1' }] }),
      }),
      412,
    );
    expect((await bucket.file('x.bin').exists())[0]).toBe(false);
  });
});

describe('metadata updates', () => {
  it('patches metadata, cacheControl, contentDisposition, contentType (Node setMetadata); metageneration increments', async () => {
    const file = bucket.file('patched.txt');
    await file.save('patch me', { resumable: false, metadata: { contentType: 'text/plain', metadata: { keep: '1', drop: '2' } } });
    const [before] = await file.getMetadata();
    expect(before.metageneration).toBe('1');
    const [after] = await file.setMetadata({
      cacheControl: 'public, max-age=60',
      contentDisposition: 'attachment; filename="p.txt"',
      contentType: 'text/markdown',
      contentLanguage: 'en',
      metadata: { drop: null, added: 'x' },
    });
    expect(after).toMatchObject({
      generation: before.generation,
      metageneration: '2',
      cacheControl: 'public, max-age=60',
      contentDisposition: 'attachment; filename="p.txt"',
      contentType: 'text/markdown',
      contentLanguage: 'en',
      metadata: { keep: '1', added: 'x' },
      md5Hash: before.md5Hash,
    });
    expect(after.metadata).not.toHaveProperty('drop');
    // Served with the new headers; the bytes are the same.
    const media = await fetch(`${api}/patched.txt?alt=media`);
    expect(media.headers.get('cache-control')).toBe('public, max-age=60');
    expect(media.headers.get('content-disposition')).toBe('attachment; filename="p.txt"');
    expect(media.headers.get('content-type')).toBe('text/markdown');
    expect(await media.text()).toBe('patch me');
  });

  it('honours ifMetagenerationMatch / ifMetagenerationNotMatch and generation on patch', async () => {
    const file = bucket.file('guarded-meta.txt');
    await file.save('x', { resumable: false });
    await expect(file.setMetadata({ metadata: { a: '1' } }, { ifMetagenerationMatch: 7 })).rejects.toMatchObject({ code: 412 });
    await file.setMetadata({ metadata: { a: '1' } }, { ifMetagenerationMatch: 1 });
    const patch = (query: string) =>
      fetch(`${api}/guarded-meta.txt?${query}`, { method: 'PATCH', body: JSON.stringify({ metadata: { b: '2' } }) });
    await expectGcsError(await patch('ifMetagenerationNotMatch=2'), 412);
    await expectGcsError(await patch('generation=1'), 404);
    expect((await patch('ifMetagenerationNotMatch=1')).status).toBe(200);
    const [meta] = await file.getMetadata();
    expect(meta).toMatchObject({ metageneration: '3', metadata: { a: '1', b: '2' } });
    await expectGcsError(await fetch(`${api}/missing.txt`, { method: 'PATCH', body: '{}' }), 404);
    await expectGcsError(await fetch(`${api}/guarded-meta.txt`, { method: 'PATCH', body: JSON.stringify({ contentType: 5 }) }), 400);
    await expectGcsError(await fetch(`${api}/guarded-meta.txt`, { method: 'PATCH', body: JSON.stringify({ metadata: [] }) }), 400);
  });

  it('replaces the settable fields on PUT (objects.update)', async () => {
    const file = bucket.file('replaced.txt');
    await file.save('x', { resumable: false, metadata: { contentType: 'text/plain', cacheControl: 'no-cache', metadata: { a: '1' } } });
    const res = await fetch(`${api}/replaced.txt`, { method: 'PUT', body: JSON.stringify({ metadata: { b: '2' } }) });
    expect(res.status).toBe(200);
    const meta = (await res.json()) as Record<string, unknown>;
    expect(meta).toMatchObject({ metadata: { b: '2' }, contentType: 'application/octet-stream', metageneration: '2' });
    expect(meta.cacheControl).toBeUndefined();
  });
});

describe('reads with conditions', () => {
  it('answers 304 when ifGenerationNotMatch or ifMetagenerationNotMatch fails, 412 for a failed match', async () => {
    const file = bucket.file('conditional.txt');
    await file.save('conditional', { resumable: false });
    const [meta] = await file.getMetadata();
    for (const path of [
      `${api}/conditional.txt?alt=media&`,
      `${api}/conditional.txt?`,
      `${url}/download/storage/v1/b/${BUCKET}/o/conditional.txt?alt=media&`,
    ]) {
      const notModified = await fetch(`${path}ifGenerationNotMatch=${meta.generation}`);
      expect(notModified.status).toBe(304);
      expect(await notModified.text()).toBe('');
      expect((await fetch(`${path}ifMetagenerationNotMatch=1`)).status).toBe(304);
      expect((await fetch(`${path}ifGenerationNotMatch=1`)).status).toBe(200);
      await expectGcsError(await fetch(`${path}ifMetagenerationMatch=2`), 412);
    }
    // On a delete a failed "not match" is a 412, not a 304.
    await expectGcsError(await fetch(`${api}/conditional.txt?ifGenerationNotMatch=${meta.generation}`, { method: 'DELETE' }), 412);
  });
});

describe('server-side copies', () => {
  const data = pattern(400_000, 9);

  beforeAll(async () => {
    await bucket
      .file('original.bin')
      .save(data, { resumable: false, metadata: { contentType: 'image/png', cacheControl: 'no-store', metadata: { from: 'original' } } });
  });

  it('copies (Node copy → rewrite) with the source metadata, and new metadata when given', async () => {
    const [copy] = await bucket.file('original.bin').copy(bucket.file('copies/one.bin'));
    const [meta] = await copy.getMetadata();
    expect(meta).toMatchObject({
      size: String(data.length),
      md5Hash: md5(data),
      crc32c: crc32c(data),
      contentType: 'image/png',
      cacheControl: 'no-store',
      metadata: { from: 'original' },
    });
    expect((await copy.download())[0].equals(data)).toBe(true);

    const [other] = await bucket
      .file('original.bin')
      .copy(bucket.file('copies/two.bin'), { contentType: 'text/plain', metadata: { from: 'copy' } });
    expect((await other.getMetadata())[0]).toMatchObject({ contentType: 'text/plain', metadata: { from: 'copy' } });
    // Across buckets too.
    const [elsewhere] = await storage.createBucket('emulator-object-operations-2');
    const [far] = await bucket.file('original.bin').copy(elsewhere.file('far.bin'));
    expect((await far.download())[0].equals(data)).toBe(true);
    // The source is untouched.
    expect((await bucket.file('original.bin').download())[0].equals(data)).toBe(true);
  });

  it('moves (Node move: copy, then delete)', async () => {
    await bucket.file('original.bin').copy(bucket.file('to-move.bin'));
    await bucket.file('to-move.bin').move('moved.bin');
    expect((await bucket.file('to-move.bin').exists())[0]).toBe(false);
    expect((await bucket.file('moved.bin').download())[0].equals(data)).toBe(true);
  });

  it('answers rewrite as done in one call, copyTo with the object; honours source and destination conditions', async () => {
    const [source] = await bucket.file('original.bin').getMetadata();
    const rewrite = await post(`original.bin/rewriteTo/b/${BUCKET}/o/rewritten.bin?ifSourceGenerationMatch=${source.generation}`, {});
    expect(rewrite.status).toBe(200);
    expect(await rewrite.json()).toMatchObject({
      kind: 'storage#rewriteResponse',
      done: true,
      totalBytesRewritten: String(data.length),
      objectSize: String(data.length),
      resource: { name: 'rewritten.bin', md5Hash: md5(data) },
    });
    const copyTo = await post(`original.bin/copyTo/b/${BUCKET}/o/copied%2Fto.bin`, { contentType: 'application/x-copy' });
    expect(copyTo.status).toBe(200);
    expect(await copyTo.json()).toMatchObject({
      kind: 'storage#object',
      name: 'copied/to.bin',
      contentType: 'application/x-copy',
      metadata: { from: 'original' },
    });

    await expectGcsError(await post(`original.bin/rewriteTo/b/${BUCKET}/o/x.bin?ifSourceGenerationMatch=1`, {}), 412);
    await expectGcsError(await post(`original.bin/rewriteTo/b/${BUCKET}/o/x.bin?ifSourceMetagenerationMatch=9`, {}), 412);
    await expectGcsError(await post(`original.bin/rewriteTo/b/${BUCKET}/o/x.bin?sourceGeneration=1`, {}), 404);
    await expectGcsError(await post(`original.bin/copyTo/b/${BUCKET}/o/rewritten.bin?ifGenerationMatch=0`, {}), 412);
    await expectGcsError(await post(`original.bin/copyTo/b/${BUCKET}/o/rewritten.bin?ifMetagenerationMatch=5`, {}), 412);
    await expectGcsError(await post(`missing.bin/copyTo/b/${BUCKET}/o/x.bin`, {}), 404);
    await expectGcsError(await post(`original.bin/copyTo/b/no-such-bucket/o/x.bin`, {}), 404);
    expect((await bucket.file('x.bin').exists())[0]).toBe(false);
  });
});

describe('listing filters', () => {
  const NAMES = ['logs/2024/a.txt', 'logs/2024/b.csv', 'logs/2025/c.txt', 'logs/d.txt', 'other/e.txt'];

  beforeAll(async () => {
    const [filtered] = await storage.createBucket('emulator-listing-filters');
    for (const name of NAMES) await filtered.file(name).save(name, { resumable: false });
  });

  async function names(query: string): Promise<string[]> {
    const res = await fetch(`${url}/storage/v1/b/emulator-listing-filters/o?${query}`);
    expect(res.status).toBe(200);
    const page = (await res.json()) as { items?: Array<{ name: string }>; prefixes?: string[] };
    return [...(page.items ?? []).map((i) => i.name), ...(page.prefixes ?? [])];
  }

  it('honours startOffset (inclusive) and endOffset (exclusive)', async () => {
    expect(await names('startOffset=logs/2025/c.txt')).toEqual(['logs/2025/c.txt', 'logs/d.txt', 'other/e.txt']);
    expect(await names('endOffset=logs/2025/c.txt')).toEqual(['logs/2024/a.txt', 'logs/2024/b.csv']);
    expect(await names('startOffset=logs/2024/b&endOffset=logs/e')).toEqual(['logs/2024/b.csv', 'logs/2025/c.txt', 'logs/d.txt']);
  });

  it('honours matchGlob, with prefix and delimiter too (Node matchGlob)', async () => {
    expect(await names(`matchGlob=${encodeURIComponent('**/*.txt')}`)).toEqual([
      'logs/2024/a.txt',
      'logs/2025/c.txt',
      'logs/d.txt',
      'other/e.txt',
    ]);
    expect(await names(`matchGlob=${encodeURIComponent('logs/*/*.{txt,csv}')}`)).toEqual([
      'logs/2024/a.txt',
      'logs/2024/b.csv',
      'logs/2025/c.txt',
    ]);
    expect(await names(`matchGlob=${encodeURIComponent('logs/202[4]/*')}&delimiter=/&prefix=logs/`)).toEqual(['logs/2024/']);
    const [files] = await storage.bucket('emulator-listing-filters').getFiles({ matchGlob: 'logs/*.txt' });
    expect(files.map((f) => f.name)).toEqual(['logs/d.txt']);
    await expectGcsError(await fetch(`${url}/storage/v1/b/emulator-listing-filters/o?matchGlob=${encodeURIComponent('{a,b')}`), 400);
  });
});

describe('what the emulator does not implement', () => {
  it.each([
    ['GET', `/storage/v1/b/${BUCKET}/o/original.bin/acl`, 'objectAccessControls'],
    ['GET', `/storage/v1/b/${BUCKET}/iam`, 'getIamPolicy'],
    ['PATCH', `/storage/v1/b/${BUCKET}`, 'buckets.patch'],
    ['POST', `/storage/v1/b/${BUCKET}/notificationConfigs`, 'notifications'],
    ['POST', `/storage/v1/b/${BUCKET}/o/a/moveTo/o/b`, 'objects.move'],
    ['GET', '/storage/v1/projects/p/hmacKeys', 'hmacKeys'],
  ])('answers 501 naming it, never 405: %s %s', async (method, path, name) => {
    const message = await expectGcsError(await fetch(`${url}${path}`, { method }), 501);
    expect(message).toContain(name);
  });

  it('answers 404 for paths that are no API at all', async () => {
    await expectGcsError(await fetch(`${url}/nothing-here/at/all`, { method: 'POST' }), 404);
  });
});
