import { FilesClient, type FileObject } from '@files-api/sdk';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { seedMember, startStack, type Stack } from '../support/stack';
import { MIB, randomFile } from './helpers';

// downloadFile through download-url's signed URL to the storage emulator, as a user calls it.
let stack: Stack;
let scratch: string;
let bytes: Buffer;
let uploaded: FileObject;

/** A client whose requests to storage (not to the API) pass through `change`. */
function clientWith(
  change?: (url: string, init: RequestInit) => { url: string; init: RequestInit; body?: (b: Uint8Array) => Uint8Array },
  seen: string[] = [],
) {
  const api = new URL(stack.api.url).host;
  const wrapped: typeof fetch = async (input, init = {}) => {
    const url = String(input instanceof Request ? input.url : input);
    if (new URL(url).host === api || !change) return fetch(input, init);
    const changed = change(url, init);
    seen.push(new Headers(changed.init.headers).get('range') ?? '');
    const response = await fetch(changed.url, changed.init);
    if (!changed.body || !response.body) return response;
    const transform = changed.body;
    return new Response(
      response.body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({ transform: (piece, out) => out.enqueue(transform(piece)) })),
      response,
    );
  };
  return new FilesClient({
    baseUrl: stack.api.url,
    apiKey: stack.apiKey,
    organizationId: stack.organizationId,
    fetch: wrapped,
    retry: { retries: 2, baseDelayMs: 10 },
  });
}

beforeAll(async () => {
  stack = await startStack(__filename);
  scratch = mkdtempSync(join(tmpdir(), 'sdk-download-'));
  bytes = randomFile(join(scratch, 'source.bin'), 3 * MIB + 99);
  uploaded = await clientWith().uploadFile(join(scratch, 'source.bin'), { chunkSize: MIB });
});
afterAll(async () => {
  await stack.close();
  rmSync(scratch, { recursive: true, force: true });
});

it('downloads to a path, byte for byte, and leaves no partial file', async () => {
  const target = join(scratch, 'out.bin');
  const file = await clientWith().downloadFile(uploaded.id, target);
  expect(file.id).toBe(uploaded.id);
  expect(readFileSync(target).equals(bytes)).toBe(true);
  expect(readdirSync(scratch).filter((name) => name.endsWith('.part'))).toEqual([]);
  await expect(clientWith().downloadFile(uploaded.id, target)).rejects.toThrow(/exists already/);
});

it('goes on from a partial download with Range, and checks the whole against the CRC32C', async () => {
  const target = join(scratch, 'resumed.bin');
  const first = new FilesClient({ baseUrl: stack.api.url, apiKey: stack.apiKey, organizationId: stack.organizationId });
  // A download cut short: what a crash leaves beside the target.
  const controller = new AbortController();
  await expect(
    first.downloadFile(uploaded.id, target, { signal: controller.signal, onProgress: (p) => p.bytesSent >= MIB && controller.abort() }),
  ).rejects.toMatchObject({ name: 'AbortError' });
  const [part] = readdirSync(scratch).filter((name) => name.startsWith('resumed.bin.') && name.endsWith('.part'));
  expect(part).toBeDefined();
  const have = readFileSync(join(scratch, part)).length;
  expect(have).toBeGreaterThan(0);

  const ranges: string[] = [];
  await clientWith((url, init) => ({ url, init }), ranges).downloadFile(uploaded.id, target);
  expect(ranges).toEqual([`bytes=${have}-`]);
  expect(readFileSync(target).equals(bytes)).toBe(true);
});

it('writes to a WritableStream and to a Node Writable', async () => {
  const pieces: Uint8Array[] = [];
  await clientWith().downloadFile(uploaded.id, new WritableStream<Uint8Array>({ write: (piece) => void pieces.push(piece) }));
  expect(Buffer.concat(pieces).equals(bytes)).toBe(true);
  const sink = new PassThrough();
  const collected: Buffer[] = [];
  sink.on('data', (piece: Buffer) => collected.push(piece));
  await clientWith().downloadFile(uploaded.id, sink);
  expect(Buffer.concat(collected).equals(bytes)).toBe(true);
});

it('refuses bytes that contradict the file (CHECKSUM_MISMATCH) and a tampered URL (DOWNLOAD_REFUSED)', async () => {
  let flipped = false;
  const corrupting = clientWith((url, init) => ({
    url,
    init,
    body: (piece) => {
      if (flipped) return piece;
      flipped = true;
      const copy = new Uint8Array(piece);
      copy[0] ^= 1;
      return copy;
    },
  }));
  const sink = new WritableStream<Uint8Array>();
  await expect(corrupting.downloadFile(uploaded.id, sink)).rejects.toMatchObject({ name: 'StorageError', code: 'CHECKSUM_MISMATCH' });

  const tampering = clientWith((url, init) => {
    const signed = new URL(url);
    const signature = signed.searchParams.get('X-Goog-Signature') ?? '';
    signed.searchParams.set('X-Goog-Signature', (signature[0] === 'a' ? 'b' : 'a') + signature.slice(1));
    return { url: signed.toString(), init };
  });
  await expect(tampering.downloadFile(uploaded.id, new WritableStream<Uint8Array>())).rejects.toMatchObject({
    name: 'StorageError',
    code: 'DOWNLOAD_REFUSED',
    status: 403,
  });
});

it("another organization's file is FILE_NOT_FOUND, with no URL", async () => {
  const outsider = await seedMember(stack.db, 'org_outsider', 'usr_outsider');
  const theirs = new FilesClient({ baseUrl: stack.api.url, apiKey: outsider.apiKey, organizationId: 'org_outsider' });
  await expect(theirs.getDownloadUrl(uploaded.id)).rejects.toMatchObject({ name: 'FilesApiError', code: 'FILE_NOT_FOUND', status: 404 });
  await expect(theirs.downloadFile(uploaded.id, new WritableStream<Uint8Array>())).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
});

it('a file that is not uploaded yet has no download', async () => {
  const session = await clientWith().createUploadSession({ filename: 'later.bin', file_size: 10, mime_type: 'application/octet-stream' });
  await expect(clientWith().getDownloadUrl(session.file_id)).rejects.toMatchObject({ name: 'FilesApiError', status: expect.any(Number) });
});
