import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findSdkTool, gcloudEnv, runOk, runTool } from './cloud-sdk';
import { md5, MIB, pattern, sharedEmulatorUrl, storageClient } from './helpers';

// Google's own CLI against the emulator: `gcloud storage` speaks the same resumable protocol.
const url = sharedEmulatorUrl();
const BUCKET = 'emulator-gcloud';
const COMMAND_TIMEOUT_MS = 60_000;
// gcloud takes seconds to start; a test runs up to six commands.
const TEST_TIMEOUT_MS = 6 * COMMAND_TIMEOUT_MS;
let work: string;
let env: NodeJS.ProcessEnv;

const gcloud = findSdkTool('gcloud');

const run = (args: string[], input?: Buffer) => runTool(gcloud, args, env, COMMAND_TIMEOUT_MS, input);
const ok = (args: string[], input?: Buffer) => runOk(gcloud, args, env, COMMAND_TIMEOUT_MS, input);

beforeAll(async () => {
  await storageClient(url).createBucket(BUCKET);
  work = mkdtempSync(join(tmpdir(), 'gcloud-emulator-'));
  env = {
    ...gcloudEnv(work, url),
    // Anything above 1 MiB goes through a resumable session, in 256 KiB chunks (the
    // defaults are covered by google-clis.test.ts).
    CLOUDSDK_STORAGE_RESUMABLE_THRESHOLD: String(MIB),
    CLOUDSDK_STORAGE_UPLOAD_CHUNK_SIZE: String(256 * 1024),
  };
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('gcloud storage', () => {
  const data = pattern(3 * MIB + 4321, 51);

  it(
    'copies a file of a few MB up through a resumable session, lists it and reads it back',
    async () => {
      const local = join(work, 'three-mb.bin');
      writeFileSync(local, data);
      await ok(['storage', 'cp', local, `gs://${BUCKET}/dir/three-mb.bin`]);
      // It went through a session (finished, so its record holds the object).
      const sessionsDir = join(process.env.TEST_STORAGE_DATA_DIR as string, 'sessions');
      const records = readdirSync(sessionsDir)
        .filter((f) => f.endsWith('.json'))
        .map(
          (f) => JSON.parse(readFileSync(join(sessionsDir, f), 'utf8')) as { bucket: string; name: string; finalized?: { size: number } },
        );
      expect(records.filter((r) => r.bucket === BUCKET && r.name === 'dir/three-mb.bin' && r.finalized?.size === data.length)).toHaveLength(
        1,
      );
      const [meta] = await storageClient(url).bucket(BUCKET).file('dir/three-mb.bin').getMetadata();
      expect(meta.md5Hash).toBe(md5(data));

      expect((await ok(['storage', 'ls', `gs://${BUCKET}`])).toString().trim().split('\n')).toEqual([`gs://${BUCKET}/dir/`]);
      expect((await ok(['storage', 'ls', `gs://${BUCKET}/dir/`])).toString().trim()).toBe(`gs://${BUCKET}/dir/three-mb.bin`);
      const long = (await ok(['storage', 'ls', '-l', `gs://${BUCKET}/dir/`])).toString();
      expect(long).toContain(`${data.length}`);
      expect((await ok(['storage', 'cat', `gs://${BUCKET}/dir/three-mb.bin`])).equals(data)).toBe(true);
      expect((await ok(['storage', 'cat', '-r', '100-199', `gs://${BUCKET}/dir/three-mb.bin`])).equals(data.subarray(100, 200))).toBe(true);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'streams stdin up in 256 KiB chunks of unknown total, then downloads it with hash checks',
    async () => {
      await ok(['storage', 'cp', '-', `gs://${BUCKET}/streamed.bin`], data);
      const back = join(work, 'streamed-back.bin');
      await ok(['storage', 'cp', `gs://${BUCKET}/streamed.bin`, back]);
      expect(readFileSync(back).equals(data)).toBe(true);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'removes objects',
    async () => {
      await ok(['storage', 'rm', `gs://${BUCKET}/streamed.bin`]);
      expect((await storageClient(url).bucket(BUCKET).file('streamed.bin').exists())[0]).toBe(false);
      const missing = await run(['storage', 'cat', `gs://${BUCKET}/streamed.bin`]);
      expect(missing.code).not.toBe(0);
    },
    TEST_TIMEOUT_MS,
  );
});
