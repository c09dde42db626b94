import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningStorageEmulator } from '../src/start';
import { runOk, sha256File } from './cloud-sdk';
import { MIB, ownEmulator, storageClient } from './helpers';

// rclone (Debian's package; .ci/run installs it): a client outside Google's Node and
// Python ecosystems. Its GCS backend is Go on Google's API library, which sends
// X-GUploader-No-308 and uploads in 16 MiB chunks.
const COMMAND_MS = 120_000;
const BUCKET = 'emulator-rclone';
let work: string;
let emulator: RunningStorageEmulator;
let cleanup: () => Promise<void>;
let requestLog: string;
let env: NodeJS.ProcessEnv;

const rclone = (...args: string[]) => runOk('rclone', args, env, COMMAND_MS);

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'rclone-'));
  requestLog = join(work, 'requests.log');
  ({ emulator, cleanup } = await ownEmulator({ requestLog }));
  await storageClient(emulator.url).createBucket(BUCKET);
  writeFileSync(join(work, 'rclone.conf'), '');
  env = {
    PATH: process.env.PATH,
    HOME: work,
    RCLONE_CONFIG: join(work, 'rclone.conf'),
    // A remote "emu" from the environment alone: the emulator's endpoint, no credentials.
    RCLONE_CONFIG_EMU_TYPE: 'gcs',
    RCLONE_CONFIG_EMU_ENDPOINT: emulator.url,
    RCLONE_CONFIG_EMU_ANONYMOUS: 'true',
    RCLONE_CONFIG_EMU_BUCKET_POLICY_ONLY: 'true',
  };
});

afterAll(async () => {
  await cleanup?.();
  rmSync(work, { recursive: true, force: true });
});

it('is installed (.ci/run installs Debian’s rclone when missing)', () => {
  expect(execFileSync('rclone', ['version'], { env }).toString()).toMatch(/^rclone v1\./);
});

it(
  'copies a file over 16 MiB up (several chunks, "resume incomplete" as 200 + override) and back down intact',
  async () => {
    const file = join(work, 'big.bin');
    writeFileSync(file, randomBytes(40 * MIB + 12345));
    await rclone('copyto', file, `emu:${BUCKET}/big/big.bin`);
    const [meta] = await storageClient(emulator.url).bucket(BUCKET).file('big/big.bin').getMetadata();
    expect(meta.size).toBe(String(40 * MIB + 12345));
    // The non-final chunks were answered 200 (X-Http-Status-Code-Override: 308), not 308.
    const chunks = readFileSync(requestLog, 'utf8')
      .split('\n')
      .filter((line) => /^\S+ (PUT|POST) \/upload\/storage\/v1\/b\/emulator-rclone\/o\?\S*upload_id /.test(line));
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    expect(chunks.every((line) => / 200 in=/.test(line))).toBe(true);
    const back = join(work, 'big-back.bin');
    await rclone('copyto', `emu:${BUCKET}/big/big.bin`, back);
    expect(await sha256File(back)).toBe(await sha256File(file));
  },
  COMMAND_MS * 2,
);

it(
  'syncs a directory up (changes, deletions) and back down, and lists it (lsf)',
  async () => {
    const dir = join(work, 'tree');
    mkdirSync(join(dir, 'sub'), { recursive: true });
    writeFileSync(join(dir, 'a.txt'), 'a');
    writeFileSync(join(dir, 'sub', 'b.bin'), randomBytes(MIB));
    writeFileSync(join(dir, 'gone.txt'), 'gone');
    await rclone('sync', dir, `emu:${BUCKET}/tree`);
    writeFileSync(join(dir, 'a.txt'), 'a, changed');
    rmSync(join(dir, 'gone.txt'));
    await rclone('sync', dir, `emu:${BUCKET}/tree`);
    expect((await rclone('lsf', '-R', `emu:${BUCKET}/tree`)).toString().trim().split('\n').sort()).toEqual(['a.txt', 'sub/', 'sub/b.bin']);
    const down = join(work, 'tree-down');
    await rclone('sync', `emu:${BUCKET}/tree`, down);
    expect(readdirSync(down).sort()).toEqual(['a.txt', 'sub']);
    expect(readFileSync(join(down, 'a.txt'), 'utf8')).toBe('a, changed');
    expect(await sha256File(join(down, 'sub', 'b.bin'))).toBe(await sha256File(join(dir, 'sub', 'b.bin')));
    // rclone verifies each transfer by MD5 itself; check agrees both sides match.
    await rclone('check', dir, `emu:${BUCKET}/tree`);
  },
  COMMAND_MS * 3,
);

it(
  'moves an object server-side (moveto)',
  async () => {
    await rclone('moveto', `emu:${BUCKET}/tree/a.txt`, `emu:${BUCKET}/moved/a.txt`);
    expect((await rclone('lsf', `emu:${BUCKET}/tree`)).toString().trim().split('\n')).toEqual(['sub/']);
    const [bytes] = await storageClient(emulator.url).bucket(BUCKET).file('moved/a.txt').download();
    expect(bytes.toString()).toBe('a, changed');
  },
  COMMAND_MS,
);
