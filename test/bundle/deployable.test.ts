import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { Firestore } from '@google-cloud/firestore';
import { CRC32C, Storage } from '@google-cloud/storage';
import { freePort } from '../../emulator/free-port';
import { untilPort } from '../../scripts/processes';
import { validateUploadUrlResponse } from '../../functions/generated/validators';
import { runSeedExample } from '../support/run-example';
import { emulatorHosts, isolatedNames, seedMember } from '../support/stack';

// What Cloud Functions gets: `npm run bundle`'s output alone, with only the
// dependencies its own package.json lists installed beside it and its
// gcp-build step run (it primes the compile cache), served by the
// functions-framework those put there, on the Node running this test (CI runs
// the suite on Node 24 too, the deploy runtime).
const run = promisify(execFile);
const root = join(__dirname, '..', '..');
const bundleDir = join(root, 'dist', 'bundle-test');
const SETUP_TIMEOUT_MS = 240_000;

let app: string;
let server: ChildProcess | undefined;
let serverOutput = '';
let baseUrl: string;
let apiKey: string;

beforeAll(async () => {
  await run(process.execPath, [join(root, 'scripts', 'bundle.js'), '--outdir', bundleDir], { cwd: root });
  // Outside the repository, so nothing can resolve from the project's own node_modules.
  app = mkdtempSync(join(tmpdir(), 'files-api-deployable-'));
  cpSync(bundleDir, app, { recursive: true });
  // As Cloud Build installs a package with a lockfile (npm ci fails if the lock disagrees
  // with package.json or misses a package); --prefer-offline takes what the npm cache has already.
  await run('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], {
    cwd: app,
    env: { ...process.env, NODE_ENV: 'production' },
  });
  // Then the package's own build step, as Cloud Build runs it: with no backend configured or reachable.
  await run('npm', ['run', 'gcp-build', '--silent'], {
    cwd: app,
    env: { PATH: `${dirname(process.execPath)}:${process.env.PATH}`, NODE_ENV: 'production' },
  });

  const hosts = emulatorHosts();
  const { projectId, bucket } = isolatedNames(__filename);
  const db = new Firestore({ projectId });
  await new Storage({ apiEndpoint: hosts.storage, projectId }).createBucket(bucket).catch((error: { code?: number }) => {
    if (error.code !== 409) throw error;
  });
  ({ apiKey } = await seedMember(db, 'org_123', 'usr_bundle'));
  await db.terminate();

  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  const main = join(app, 'node_modules', '@google-cloud', 'functions-framework', 'build', 'src', 'main.js');
  server = spawn(process.execPath, [main, '--target=files', `--port=${port}`], {
    cwd: app,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      FIRESTORE_EMULATOR_HOST: hosts.firestore,
      STORAGE_EMULATOR_HOST: hosts.storage,
      METADATA_SERVER_DETECTION: 'none',
      GOOGLE_CLOUD_PROJECT: projectId,
      FILES_BUCKET: bucket,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout?.on('data', (d) => (serverOutput += d));
  server.stderr?.on('data', (d) => (serverOutput += d));
  const exited = new Promise<never>((_, reject) =>
    server?.once('exit', (code) => reject(new Error(`functions-framework exited ${code}:\n${serverOutput}`))),
  );
  await Promise.race([untilPort('127.0.0.1', port, 60_000), exited]);
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  if (server && server.exitCode === null) {
    const gone = new Promise((resolve) => server?.once('exit', resolve));
    server.kill('SIGTERM');
    await gone;
  }
  if (app) rmSync(app, { recursive: true, force: true });
  rmSync(bundleDir, { recursive: true, force: true });
});

it('installs only what its package.json lists: the framework and a native addon, not the client libraries it bundled', () => {
  const listed = Object.keys(JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')).dependencies);
  expect(listed).toEqual(['@google-cloud/functions-framework', '@node-rs/crc32']);
  // The addon's binary for this platform (linux-x64 glibc here and on Cloud Run) came as its optional dependency.
  expect(existsSync(join(app, 'node_modules', '@node-rs', 'crc32-linux-x64-gnu'))).toBe(true);
  expect(existsSync(join(app, 'node_modules', '@google-cloud', 'functions-framework'))).toBe(true);
  for (const bundled of ['@google-cloud/firestore', '@google-cloud/storage', 'magic-bytes.js']) {
    expect(existsSync(join(app, 'node_modules', bundled))).toBe(false);
  }
});

it('installs, from its lockfile, the very versions the project resolved and tested', () => {
  const rootLock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')).packages;
  const deployLock = JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8')).packages;
  // Optional packages for other platforms (the addon's other binaries) are locked but not installed here.
  const installed = Object.keys(deployLock).filter((path) => path !== '' && !(deployLock[path].optional && !existsSync(join(app, path))));
  expect(installed.length).toBeGreaterThan(10);
  for (const path of installed) {
    expect(deployLock[path].version).toBe(rootLock[path].version);
    expect(deployLock[path].integrity).toBe(rootLock[path].integrity);
    const onDisk = JSON.parse(readFileSync(join(app, path, 'package.json'), 'utf8')) as { version: string };
    expect(onDisk.version).toBe(rootLock[path].version);
  }
});

it('primes the compile cache in its build step where the runtime has one (Node 22+), and loads without one on Node 20', () => {
  const hasCompileCache = typeof (require('node:module') as { enableCompileCache?: unknown }).enableCompileCache === 'function';
  const cache = join(app, '.compile-cache');
  if (!hasCompileCache) {
    expect(existsSync(cache)).toBe(false);
    return;
  }
  // One directory per node version, holding an entry for each module compiled at load, the bundle among them.
  const [versionDir, ...others] = readdirSync(cache);
  expect(others).toEqual([]);
  expect(versionDir.startsWith(`${process.version}-`)).toBe(true);
  const entries = readdirSync(join(cache, versionDir)).map((name) => readFileSync(join(cache, versionDir, name)).length);
  const bundleBytes = readFileSync(join(app, 'function.js')).length;
  expect(Math.max(...entries)).toBeGreaterThan(bundleBytes / 20);
});

it("answers the seed's cURL request from the bundle", async () => {
  const answer = await runSeedExample('seed-curl.sh', baseUrl, apiKey);
  expect(answer.code).toBe(0);
  const session = JSON.parse(answer.stdout);
  expect(validateUploadUrlResponse(session)).toBe(true);
  expect(session.gcs_path).toBe(`files/org_123/${session.file_id}/large_video.mp4`);
  expect(session.upload_url.startsWith(`${process.env.STORAGE_EMULATOR_HOST}/upload/storage/v1/b/`)).toBe(true);
});

it('stores a direct upload from the bundle, its CRC32C computed on the way by the native addon', async () => {
  const bytes = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(300 * 1024, 7)]);
  const form = new FormData();
  form.append('file', new Blob([bytes], { type: 'application/pdf' }), 'report.pdf');
  const answer = await fetch(`${baseUrl}/v1/organizations/org_123/files/upload`, {
    method: 'POST',
    headers: { 'X-API-Key': apiKey },
    body: form,
  });
  const file = (await answer.json()) as { status: string; file_size: number; crc32c: string };
  expect(answer.status).toBe(201);
  // The storage client's own (JavaScript) CRC32C: an implementation independent of the addon.
  const expected = new CRC32C();
  expected.update(bytes);
  expect(file).toMatchObject({ status: 'uploaded', file_size: bytes.length, crc32c: expected.toString() });
});
