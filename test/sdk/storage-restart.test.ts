import { FilesClient } from '@files-api/sdk';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStorageEmulator, type RunningStorageEmulator } from '@files-api/gcs-emulator';
import { startStack, type Stack } from '../support/stack';
import { crc32cBase64, MIB, randomFile } from './helpers';

// A storage emulator of this file's own, so it can be killed, restarted and frozen mid-upload.
let emulator: RunningStorageEmulator;
let dataDir: string;
let scratch: string;
let stack: Stack;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'sdk-restart-data-'));
  scratch = mkdtempSync(join(tmpdir(), 'sdk-restart-'));
  emulator = await startStorageEmulator({ dataDir });
  stack = await startStack(__filename, { STORAGE_EMULATOR_HOST: emulator.url });
  // Plain JSON API calls: the official client would follow STORAGE_EMULATOR_HOST to the shared emulator.
  const created = await fetch(`${emulator.url}/storage/v1/b?project=${stack.projectId}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: stack.bucket }),
  });
  expect(created.status).toBe(200);
});
afterAll(async () => {
  await stack.close();
  await emulator.stop();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
});

const client = () =>
  new FilesClient({
    baseUrl: stack.api.url,
    apiKey: stack.apiKey,
    organizationId: stack.organizationId,
    retry: { retries: 12, baseDelayMs: 50, maxDelayMs: 1000 },
    requestTimeoutMs: 2000,
  });

async function storedCrc32c(gcsPath: string): Promise<string | undefined> {
  const answer = await fetch(`${emulator.url}/storage/v1/b/${stack.bucket}/o/${encodeURIComponent(gcsPath)}`);
  return ((await answer.json()) as { crc32c?: string }).crc32c;
}

it('goes on after storage is killed and restarted mid-upload, from what storage kept', async () => {
  const bytes = randomFile(join(scratch, 'restart.bin'), 8 * MIB);
  let restarted: Promise<void> | undefined;
  const confirmed: number[] = [];
  const file = await client().uploadFile(join(scratch, 'restart.bin'), {
    chunkSize: MIB,
    onProgress: ({ bytesSent }) => {
      confirmed.push(bytesSent);
      if (bytesSent >= 2 * MIB && !restarted) {
        emulator.kill();
        restarted = new Promise((resolve) => setTimeout(resolve, 300)).then(async () => {
          emulator = await startStorageEmulator({ dataDir, port: emulator.port });
        });
      }
    },
  });
  await restarted;
  expect(file).toMatchObject({ status: 'uploaded', crc32c: crc32cBase64(bytes) });
  expect(await storedCrc32c(file.storage_path)).toBe(crc32cBase64(bytes));
  // Progress never went back below what storage had confirmed before the kill.
  const killedAt = confirmed.findIndex((n) => n >= 2 * MIB);
  expect(Math.min(...confirmed.slice(killedAt))).toBeGreaterThanOrEqual(2 * MIB);
}, 120_000);

it('gets past storage frozen (SIGSTOP) longer than a request deadline, once it thaws', async () => {
  const bytes = randomFile(join(scratch, 'frozen.bin'), 6 * MIB);
  let thawed: Promise<void> | undefined;
  const file = await client().uploadFile(join(scratch, 'frozen.bin'), {
    chunkSize: MIB,
    onProgress: ({ bytesSent }) => {
      if (bytesSent >= 2 * MIB && !thawed) {
        process.kill(emulator.pid, 'SIGSTOP');
        thawed = new Promise<void>((resolve) => setTimeout(resolve, 5000)).then(() => void process.kill(emulator.pid, 'SIGCONT'));
      }
    },
  });
  await thawed;
  expect(file).toMatchObject({ status: 'uploaded', crc32c: crc32cBase64(bytes) });
}, 120_000);
