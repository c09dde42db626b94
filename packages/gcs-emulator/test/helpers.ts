import { CRC32C, Storage, type StorageOptions } from '@google-cloud/storage';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStorageEmulator, type RunningStorageEmulator, type StorageEmulatorOptions } from '../src/start';

export const KIB = 1024;
export const MIB = 1024 * KIB;
/** Resumable uploads persist in units of 256 KiB. */
export const QUANTUM = 256 * KIB;

/** A loopback port nothing listens on: one the kernel just handed out, closed again. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The emulator the Jest global setup started for the whole run. */
export function sharedEmulatorUrl(): string {
  const url = process.env.STORAGE_EMULATOR_HOST;
  if (!url) throw new Error('the Jest global setup did not start the storage emulator');
  return url;
}

/** The official client, pointed at `url`. While STORAGE_EMULATOR_HOST is set (the
 * global setup sets it), @google-cloud/storage sends JSON API calls there whatever
 * `apiEndpoint` says (only uploads follow `apiEndpoint`); so it is hidden while the
 * client is built, and a test's own emulator gets all of the client's calls. */
export function storageClient(url: string, options: StorageOptions = {}): Storage {
  const shared = process.env.STORAGE_EMULATOR_HOST;
  delete process.env.STORAGE_EMULATOR_HOST;
  try {
    return new Storage({ apiEndpoint: url, projectId: 'emulator-tests', ...options });
  } finally {
    if (shared !== undefined) process.env.STORAGE_EMULATOR_HOST = shared;
  }
}

/** Deterministic, non-repeating bytes (so a misplaced chunk changes the checksum). */
export function pattern(size: number, seed = 1): Buffer {
  const bytes = Buffer.alloc(size);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < size; i += 1) {
    if ((i & 3) === 0) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
    }
    bytes[i] = (state >>> ((i & 3) * 8)) & 0xff;
  }
  return bytes;
}

export function md5(bytes: Buffer): string {
  return createHash('md5').update(bytes).digest('base64');
}

/** Base64 CRC32C by the official client's own class: what clients validate against,
 * and an implementation independent of the emulator's. */
export function crc32c(bytes: Buffer): string {
  const crc = new CRC32C();
  crc.update(bytes);
  return crc.toString();
}

/** An emulator of the test file's own (restarts, short TTLs), on a fresh data dir. */
export async function ownEmulator(options: Partial<StorageEmulatorOptions> = {}): Promise<{
  emulator: RunningStorageEmulator;
  dataDir: string;
  cleanup(): Promise<void>;
}> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'storage-emulator-test-'));
  const emulator = await startStorageEmulator({ ...options, dataDir });
  return {
    emulator,
    dataDir,
    async cleanup() {
      await emulator.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Starts a session by hand; answers the session URI. */
export async function startSession(
  base: string,
  bucket: string,
  name: string,
  { headers = {}, body, query = '' }: { headers?: Record<string, string>; body?: unknown; query?: string } = {},
): Promise<string> {
  const res = await fetch(`${base}/upload/storage/v1/b/${bucket}/o?uploadType=resumable&name=${encodeURIComponent(name)}${query}`, {
    method: 'POST',
    headers: body === undefined ? headers : { 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status !== 200) throw new Error(`session start answered ${res.status}: ${await res.text()}`);
  const location = res.headers.get('location');
  if (!location) throw new Error('session start gave no Location');
  return location;
}

/** A PUT on a session URI. */
export function put(uri: string, body: Buffer | undefined, contentRange?: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(uri, {
    method: 'PUT',
    headers: { ...(contentRange ? { 'Content-Range': contentRange } : {}), ...headers },
    body: body ?? Buffer.alloc(0),
  });
}

/** Asserts Cloud Storage's error JSON with `code`; answers its message. */
export async function expectGcsError(res: Response, code: number): Promise<string> {
  expect(res.status).toBe(code);
  const body = (await res.json()) as { error: { code: number; message: string; errors: Array<Record<string, string>> } };
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  expect(body.error.errors[0]).toMatchObject({ domain: 'global', reason: expect.any(String), message: body.error.message });
  return body.error.message;
}
