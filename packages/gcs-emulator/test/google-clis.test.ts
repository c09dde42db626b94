import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { crc32c as nativeCrc32c } from '@node-rs/crc32';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningStorageEmulator } from '../src/start';
import { findSdkTool, gcloudEnv, gsutilEnv, runOk, sha256File, startTlsFront, type TlsFront } from './cloud-sdk';
import { MIB, ownEmulator, storageClient } from './helpers';

// `gcloud storage` and `gsutil` at their DEFAULT settings (no threshold or chunk tuning):
// small files go as one multipart request (single-quoted boundary, bare LF), 10 MiB
// through a resumable session, 200 MiB as parallel parts joined by compose (gcloud),
// downloads sliced by ranges. Every download is checked byte for byte.
const gcloud = findSdkTool('gcloud');
const gsutil = findSdkTool('gsutil');
const COMMAND_MS = 180_000;
const SIZES = [0, 1, 1000, 10 * MIB, 200 * MIB];
const BUCKET = 'emulator-google-clis';
let work: string;
let emulator: RunningStorageEmulator;
let dataDir: string;
let cleanup: () => Promise<void>;
let front: TlsFront;
let gcloudVars: NodeJS.ProcessEnv;
let gsutilVars: NodeJS.ProcessEnv;
const local: Record<number, { path: string; sha256: string; crc32c: string }> = {};

const gc = (args: string[]) => runOk(gcloud, args, gcloudVars, COMMAND_MS);
const gs = (args: string[]) => runOk(gsutil, args, gsutilVars, COMMAND_MS);

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'google-clis-'));
  ({ emulator, dataDir, cleanup } = await ownEmulator());
  await storageClient(emulator.url).createBucket(BUCKET);
  front = await startTlsFront(work, emulator.port);
  gcloudVars = gcloudEnv(join(work, 'gcloud-home'), emulator.url);
  gsutilVars = gsutilEnv(join(work, 'gsutil-home'), front.port, front.certFile);
  for (const size of SIZES) {
    const path = join(work, `file-${size}.bin`);
    const bytes = randomBytes(size);
    writeFileSync(path, bytes);
    local[size] = { path, sha256: sha256(bytes), crc32c: crc32cOf(bytes) };
  }
}, 60_000);

afterAll(async () => {
  await front?.close();
  await cleanup?.();
  rmSync(work, { recursive: true, force: true });
});

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Base64 big-endian CRC32C, in native code (200 MiB). */
function crc32cOf(bytes: Buffer): string {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(nativeCrc32c(bytes));
  return out.toString('base64');
}

async function objectMeta(name: string): Promise<Record<string, unknown>> {
  return (await storageClient(emulator.url).bucket(BUCKET).file(name).getMetadata())[0] as Record<string, unknown>;
}

async function bucketNames(): Promise<string[]> {
  const [files] = await storageClient(emulator.url).bucket(BUCKET).getFiles();
  return files.map((f) => f.name);
}

describe.each([
  ['gcloud storage', 'gcloud', (args: string[]) => gc(['storage', 'cp', ...args])],
  ['gsutil', 'gsutil', (args: string[]) => gs(['cp', ...args])],
])('%s cp at its defaults', (_name, tool, cp) => {
  // One command for all sizes each way (each CLI start costs seconds); every file still
  // takes its own path by size.
  it(
    `uploads and downloads ${SIZES.join(', ')} bytes intact`,
    async () => {
      await cp([...SIZES.map((size) => local[size].path), `gs://${BUCKET}/${tool}/`]);
      for (const size of SIZES) expect((await objectMeta(`${tool}/file-${size}.bin`)).size).toBe(String(size));
      if (tool === 'gcloud') {
        // 200 MiB went as parallel parts joined by compose, and the parts are gone.
        expect((await objectMeta(`gcloud/file-${200 * MIB}.bin`)).componentCount).toBeGreaterThan(1);
        expect((await bucketNames()).filter((n) => !n.startsWith('gcloud/'))).toEqual([]);
      }
      const down = join(work, `${tool}-down`);
      mkdirSync(down);
      await cp([...SIZES.map((size) => `gs://${BUCKET}/${tool}/file-${size}.bin`), down]);
      for (const size of SIZES) {
        const back = join(down, `file-${size}.bin`);
        expect(statSync(back).size).toBe(size);
        expect(await sha256File(back)).toBe(local[size].sha256);
      }
      rmSync(down, { recursive: true });
    },
    COMMAND_MS * 2,
  );
});

describe('gcloud storage beyond cp', () => {
  it(
    'finishes an upload that was killed (-9) midway when run again',
    async () => {
      const name = 'killed/file-200.bin';
      // Its own process group: gcloud uploads the parts from worker processes, and a
      // kill of the terminal's group (not of the parent alone) stops them all.
      const child = spawn(gcloud, ['storage', 'cp', local[200 * MIB].path, `gs://${BUCKET}/${name}`], {
        env: gcloudVars,
        stdio: 'ignore',
        detached: true,
      });
      const exited = new Promise((resolve) => child.once('close', resolve));
      try {
        // Killed once the emulator has part of it, well before the end.
        await waitFor(() => bytesArriving() >= 40 * MIB, COMMAND_MS);
      } finally {
        process.kill(-(child.pid as number), 'SIGKILL');
      }
      await exited;
      expect(await storageClient(emulator.url).bucket(BUCKET).file(name).exists()).toEqual([false]);
      await gc(['storage', 'cp', local[200 * MIB].path, `gs://${BUCKET}/${name}`]);
      // The stored bytes are the file's: the composite's CRC32C against one computed here.
      expect((await objectMeta(name)).crc32c).toBe(local[200 * MIB].crc32c);
    },
    COMMAND_MS * 3,
  );

  it(
    'rsyncs a directory up and back, including changes and deletions',
    async () => {
      const dir = join(work, 'tree');
      mkdirSync(join(dir, 'sub'), { recursive: true });
      writeFileSync(join(dir, 'a.txt'), 'a');
      writeFileSync(join(dir, 'sub', 'b.bin'), randomBytes(3 * MIB));
      writeFileSync(join(dir, 'gone.txt'), 'gone');
      await gc(['storage', 'rsync', '--recursive', dir, `gs://${BUCKET}/tree`]);
      writeFileSync(join(dir, 'a.txt'), 'a, changed');
      rmSync(join(dir, 'gone.txt'));
      await gc(['storage', 'rsync', '--recursive', '--delete-unmatched-destination-objects', dir, `gs://${BUCKET}/tree`]);
      expect((await bucketNames()).filter((n) => n.startsWith('tree/')).sort()).toEqual(['tree/a.txt', 'tree/sub/b.bin']);
      const down = join(work, 'tree-down');
      mkdirSync(down);
      await gc(['storage', 'rsync', '--recursive', `gs://${BUCKET}/tree`, down]);
      expect(await sha256File(join(down, 'a.txt'))).toBe(await sha256File(join(dir, 'a.txt')));
      expect(await sha256File(join(down, 'sub', 'b.bin'))).toBe(await sha256File(join(dir, 'sub', 'b.bin')));
      expect(readdirSync(down).sort()).toEqual(['a.txt', 'sub']);
    },
    COMMAND_MS * 3,
  );

  it(
    'moves an object server-side (mv), keeping its bytes',
    async () => {
      const from = `gcloud/file-${10 * MIB}.bin`;
      await storageClient(emulator.url).bucket(BUCKET).file(from).copy(`mv/from.bin`);
      await gc(['storage', 'mv', `gs://${BUCKET}/mv/from.bin`, `gs://${BUCKET}/mv/to.bin`]);
      expect((await bucketNames()).filter((n) => n.startsWith('mv/'))).toEqual(['mv/to.bin']);
      const [bytes] = await storageClient(emulator.url).bucket(BUCKET).file('mv/to.bin').download();
      expect(sha256(bytes)).toBe(local[10 * MIB].sha256);
    },
    COMMAND_MS * 2,
  );

  it(
    'updates metadata (objects update --content-type --custom-metadata)',
    async () => {
      const name = 'gcloud/file-1000.bin';
      await gc([
        'storage',
        'objects',
        'update',
        `gs://${BUCKET}/${name}`,
        '--content-type=text/csv',
        '--custom-metadata=owner=emulator,stage=test',
        '--cache-control=no-cache',
      ]);
      const meta = await objectMeta(name);
      expect(meta).toMatchObject({ contentType: 'text/csv', cacheControl: 'no-cache', metadata: { owner: 'emulator', stage: 'test' } });
      expect(Number(meta.metageneration)).toBeGreaterThan(1);
    },
    COMMAND_MS * 2,
  );
});

describe('gsutil beyond cp', () => {
  it(
    'sets metadata (setmeta -h)',
    async () => {
      const name = 'gsutil/file-1.bin';
      await gs([
        'setmeta',
        '-h',
        'Content-Type:text/plain',
        '-h',
        'Cache-Control:public, max-age=30',
        '-h',
        'x-goog-meta-color:blue',
        `gs://${BUCKET}/${name}`,
      ]);
      expect(await objectMeta(name)).toMatchObject({
        contentType: 'text/plain',
        cacheControl: 'public, max-age=30',
        metadata: { color: 'blue' },
      });
    },
    COMMAND_MS * 2,
  );
});

/** Bytes the emulator is receiving: unfinished sessions' part files, and the scratch
 * files of one-shot uploads in progress. */
function bytesArriving(): number {
  let sum = 0;
  for (const [dir, suffix] of [
    [join(dataDir, 'sessions'), '.part'],
    [join(dataDir, 'tmp'), ''],
  ]) {
    for (const file of readdirSync(dir)) {
      if (file.endsWith(suffix)) sum += statSync(join(dir, file), { throwIfNoEntry: false })?.size ?? 0;
    }
  }
  return sum;
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
