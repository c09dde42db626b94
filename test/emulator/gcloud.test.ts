import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { md5, MIB, pattern, sharedEmulatorUrl, storageClient } from './helpers';

// Google's own CLI against the emulator: `gcloud storage` speaks the same resumable protocol.
const url = sharedEmulatorUrl();
const BUCKET = 'emulator-gcloud';
const COMMAND_TIMEOUT_MS = 60_000;
// gcloud takes seconds to start; a test runs up to six commands.
const TEST_TIMEOUT_MS = 6 * COMMAND_TIMEOUT_MS;
let work: string;
let env: NodeJS.ProcessEnv;

/** gcloud from PATH or the Cloud SDK's standard install paths (where the Firestore emulator also comes from). */
function findGcloud(): string {
  const candidates = [
    ...(process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'gcloud')),
    ...['/usr/lib/google-cloud-sdk', '/usr/share/google-cloud-sdk', '/opt/google-cloud-sdk', join(homedir(), 'google-cloud-sdk')].map((root) => join(root, 'bin', 'gcloud')),
  ];
  const found = candidates.find((path) => existsSync(path));
  if (!found) throw new Error(`gcloud not found (looked at ${candidates.join(', ')}): install the Google Cloud CLI`);
  return found;
}

const gcloud = findGcloud();

function run(args: string[], input?: Buffer): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(gcloud, args, { env, stdio: ['pipe', 'pipe', 'pipe'], timeout: COMMAND_TIMEOUT_MS, killSignal: 'SIGKILL' });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (piece: Buffer) => out.push(piece));
    child.stderr.on('data', (piece: Buffer) => (stderr += piece.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr }));
    child.stdin.end(input);
  });
}

async function ok(args: string[], input?: Buffer): Promise<Buffer> {
  const result = await run(args, input);
  if (result.code !== 0) throw new Error(`gcloud ${args.join(' ')} exited ${result.code}:\n${result.stderr}`);
  return result.stdout;
}

beforeAll(async () => {
  await storageClient(url).createBucket(BUCKET);
  work = mkdtempSync(join(tmpdir(), 'gcloud-emulator-'));
  const config = join(work, 'config');
  mkdirSync(config);
  // The SDK caches "not on GCE" here; without it, a fresh config resolves metadata.google.internal once.
  writeFileSync(join(config, 'gce'), 'False');
  writeFileSync(join(work, 'token'), 'emulator-needs-no-real-token');
  env = {
    PATH: process.env.PATH,
    HOME: work,
    CLOUDSDK_CONFIG: config,
    CLOUDSDK_API_ENDPOINT_OVERRIDES_STORAGE: `${url}/`,
    CLOUDSDK_AUTH_ACCESS_TOKEN_FILE: join(work, 'token'),
    CLOUDSDK_CORE_PROJECT: 'emulator-tests',
    CLOUDSDK_CORE_DISABLE_PROMPTS: '1',
    CLOUDSDK_CORE_DISABLE_USAGE_REPORTING: 'true',
    CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK: 'true',
    // Anything above 1 MiB goes through a resumable session.
    CLOUDSDK_STORAGE_RESUMABLE_THRESHOLD: String(MIB),
    CLOUDSDK_STORAGE_UPLOAD_CHUNK_SIZE: String(256 * 1024),
  };
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('gcloud storage', () => {
  const data = pattern(3 * MIB + 4321, 51);

  it('copies a file of a few MB up through a resumable session, lists it and reads it back', async () => {
    const local = join(work, 'three-mb.bin');
    writeFileSync(local, data);
    await ok(['storage', 'cp', local, `gs://${BUCKET}/dir/three-mb.bin`]);
    // It went through a session (finished, so its record holds the object).
    const sessionsDir = join(process.env.TEST_STORAGE_DATA_DIR as string, 'sessions');
    const records = readdirSync(sessionsDir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => JSON.parse(readFileSync(join(sessionsDir, f), 'utf8')) as { bucket: string; name: string; finalized?: { size: number } });
    expect(records.filter((r) => r.bucket === BUCKET && r.name === 'dir/three-mb.bin' && r.finalized?.size === data.length)).toHaveLength(1);
    const [meta] = await storageClient(url).bucket(BUCKET).file('dir/three-mb.bin').getMetadata();
    expect(meta.md5Hash).toBe(md5(data));

    expect((await ok(['storage', 'ls', `gs://${BUCKET}`])).toString().trim().split('\n')).toEqual([`gs://${BUCKET}/dir/`]);
    expect((await ok(['storage', 'ls', `gs://${BUCKET}/dir/`])).toString().trim()).toBe(`gs://${BUCKET}/dir/three-mb.bin`);
    const long = (await ok(['storage', 'ls', '-l', `gs://${BUCKET}/dir/`])).toString();
    expect(long).toContain(`${data.length}`);
    expect((await ok(['storage', 'cat', `gs://${BUCKET}/dir/three-mb.bin`])).equals(data)).toBe(true);
    expect((await ok(['storage', 'cat', '-r', '100-199', `gs://${BUCKET}/dir/three-mb.bin`])).equals(data.subarray(100, 200))).toBe(true);
  }, TEST_TIMEOUT_MS);

  it('streams stdin up in 256 KiB chunks of unknown total, then downloads it with hash checks', async () => {
    await ok(['storage', 'cp', '-', `gs://${BUCKET}/streamed.bin`], data);
    const back = join(work, 'streamed-back.bin');
    await ok(['storage', 'cp', `gs://${BUCKET}/streamed.bin`, back]);
    expect(readFileSync(back).equals(data)).toBe(true);
  }, TEST_TIMEOUT_MS);

  it('removes objects', async () => {
    await ok(['storage', 'rm', `gs://${BUCKET}/streamed.bin`]);
    expect((await storageClient(url).bucket(BUCKET).file('streamed.bin').exists())[0]).toBe(false);
    const missing = await run(['storage', 'cat', `gs://${BUCKET}/streamed.bin`]);
    expect(missing.code).not.toBe(0);
  }, TEST_TIMEOUT_MS);
});

