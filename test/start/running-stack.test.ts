import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../emulator/free-port';
import { requestUpload, type Dev } from './demo-api';
import { stackEnv } from './stack-env';
import { StackProcess } from './stack-process';
import { isLoopback, killTagged, listeningAddresses, newTag, taggedProcesses, untilNoneLeft } from './tagged-processes';

/** One running stack, looked at from outside in turn: what listens where, a slow client, a frozen
 * emulator, a second start, then `npm run stop` and `npm run reset`. */
jest.setTimeout(120_000);

const run = promisify(execFile);
const REPO = join(__dirname, '..', '..');
const tag = newTag();
let localDir: string;
let env: NodeJS.ProcessEnv;
let stack: StackProcess;
let dev: Dev & { storage_url: string; bucket: string };

beforeAll(async () => {
  localDir = mkdtempSync(join(tmpdir(), 'files-api-running-'));
  env = await stackEnv(localDir, 'test-running', { [tag.name]: tag.value });
  stack = new StackProcess(env);
  await stack.ready();
  dev = JSON.parse(readFileSync(join(localDir, 'dev.json'), 'utf8'));
});

afterAll(async () => {
  killTagged(tag);
  await untilNoneLeft(tag, 5000);
  rmSync(localDir, { recursive: true, force: true });
});

describe('a running npm start', () => {
  it('listens on loopback only: every part, Java included', () => {
    const sockets = listeningAddresses(taggedProcesses(tag).map((p) => p.pid));
    const ports = sockets.map((s) => s.port);
    for (const name of [
      'FIRESTORE_PORT',
      'STORAGE_PORT',
      'FUNCTION_PORT',
      'FINALIZE_PORT',
      'SWEEP_PORT',
      'PUBSUB_PORT',
      'DELIVER_PORT',
      'RELAY_PORT',
    ])
      expect(ports).toContain(Number(env[name]));
    expect(sockets.filter((s) => !isLoopback(s.address))).toEqual([]);
  });

  it('shows one short line per request, and keeps the JSON line in .local/functions.log', async () => {
    const files = `/v1/organizations/${dev.organization_id}/files`;
    expect((await fetch(`${dev.function_url}${files}?limit=2`, { headers: { 'X-API-Key': dev.api_key } })).status).toBe(200);
    expect((await fetch(`${dev.function_url}${files}/file_nope`, { headers: { 'X-API-Key': dev.api_key } })).status).toBe(404);
    const out = () => stack.stdout;
    for (let i = 0; i < 100 && !out().includes('404 FILE_NOT_FOUND'); i++) await new Promise((r) => setTimeout(r, 50));

    const lines = out().split('\n');
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^files \\| \\d\\d:\\d\\d:\\d\\d GET ${files} 200 \\d+ ms$`)));
    expect(lines).toContainEqual(
      expect.stringMatching(new RegExp(`^files \\| \\d\\d:\\d\\d:\\d\\d GET ${files}/file_nope 404 FILE_NOT_FOUND \\d+ ms$`)),
    );
    // No JSON on the terminal, no query string, no key.
    expect(out()).not.toMatch(/^files \| \{/m);
    expect(out()).not.toContain('limit=2');
    expect(out().split('Ctrl-C')[1]).not.toContain(dev.api_key);

    const logged = readFileSync(join(localDir, 'functions.log'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { function: string; httpRequest?: { requestUrl: string; status: number } });
    expect(logged).toContainEqual(
      expect.objectContaining({
        function: 'files',
        httpRequest: expect.objectContaining({ requestUrl: `${files}/file_nope`, status: 404 }),
      }),
    );
  });

  it('cuts off a client that never finishes its request head', async () => {
    const { hostname, port } = new URL(dev.function_url);
    const socket = net.connect({ host: hostname, port: Number(port) });
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.write('GET /v1/organizations/org_demo/files HTTP/1.1\r\nHost: localhost\r\nX-Slow: ');
    await new Promise<void>((resolve) => socket.once('close', () => resolve()));
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('rides out a frozen storage emulator (SIGSTOP) longer than any probe would wait, and serves after SIGCONT', async () => {
    const emulator = taggedProcesses(tag).find((p) => /^\S+ \S+gcs-emulator\/dist\/main\.js /.test(p.args));
    expect(emulator).toBeDefined();
    process.kill(emulator!.pid, 'SIGSTOP');
    try {
      // The old HTTP watchdog gave up after about 9 s; only an exit may stop the stack.
      await new Promise((r) => setTimeout(r, 12_000));
      expect(stack.child.exitCode).toBeNull();
    } finally {
      process.kill(emulator!.pid, 'SIGCONT');
    }
    expect((await fetch(`${dev.storage_url}/storage/v1/b/${dev.bucket}`)).status).toBe(200);
    expect(stack.stderr).not.toContain('stopping the rest');
  });

  it('logs every storage request, without upload ids, to the file the banner names', async () => {
    const log = join(localDir, 'storage-requests.log');
    expect(stack.stdout).toContain(`requests logged to ${log})`);
    const upload = await requestUpload(dev, 'logged.bin', 5, 'application/octet-stream');
    expect((await fetch(upload.upload_url, { method: 'PUT', body: 'hello' })).status).toBe(200);
    const uploadId = new URL(upload.upload_url).searchParams.get('upload_id') as string;
    const put = () =>
      readFileSync(log, 'utf8')
        .split('\n')
        .find((line) => line.includes(` PUT /upload/storage/v1/b/${dev.bucket}/o`));
    for (let i = 0; i < 50 && !put(); i++) await new Promise((r) => setTimeout(r, 100));
    expect(put()).toMatch(/ 200 /);
    expect(readFileSync(log, 'utf8')).not.toContain(uploadId);
  });

  it('refuses a second start from the same checkout, naming the one running', async () => {
    const second = new StackProcess({ ...env, FIRESTORE_PORT: String(await freePort()) });
    expect(await second.exitWithin(30_000)).toEqual({ code: 1, signal: null });
    expect(second.stderr).toBe(
      `npm start: a local stack from this checkout is already running (pid ${stack.pid}, since ${JSON.parse(readFileSync(join(localDir, 'stack.json'), 'utf8')).started_at}): \`npm run stop\` stops it\n`,
    );
  });

  it('npm run stop stops it cleanly, saving; run again, says nothing runs', async () => {
    const { stdout } = await run('npm', ['run', '--silent', 'stop'], { cwd: REPO, env });
    expect(stdout).toBe(`stopped the local stack (pid ${stack.pid})\n`);
    expect(await stack.exitWithin(5000)).toEqual({ code: 0, signal: null });
    expect(await untilNoneLeft(tag)).toEqual([]);
    expect(existsSync(join(localDir, 'stack.json'))).toBe(false);
    expect(JSON.parse(readFileSync(join(localDir, 'firestore', 'snapshot', 'saved.json'), 'utf8'))).toMatchObject({ reason: 'stop' });
    expect((await run('npm', ['run', '--silent', 'stop'], { cwd: REPO, env })).stdout).toBe(
      'no local stack is running from this checkout\n',
    );
  });

  it('keeps what it stored to its owner: 0700 directories and 0600 files, the Firestore export and sessions included', () => {
    // The export holds upload-session URIs (capabilities) and dev.json the API key: nobody else may read or list them.
    const open: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        const mode = statSync(path).mode & 0o777;
        if (mode !== (entry.isDirectory() ? 0o700 : 0o600)) open.push(`${path.slice(localDir.length)} ${mode.toString(8)}`);
        if (entry.isDirectory()) walk(path);
      }
    };
    walk(localDir);
    expect(existsSync(join(localDir, 'storage', 'sessions'))).toBe(true);
    expect(readdirSync(join(localDir, 'firestore', 'snapshot')).length).toBeGreaterThan(1);
    expect(open).toEqual([]);
  });

  it('npm run reset removes what the stack keeps, asking nothing', async () => {
    const { stdout } = await run('npm', ['run', '--silent', 'reset'], { cwd: REPO, env });
    expect(stdout).toBe(`removed the local stack's data in ${localDir}\n`);
    expect(existsSync(localDir)).toBe(false);
  });
});
