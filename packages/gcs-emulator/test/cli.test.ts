import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { storageEmulatorScript } from '../src/start';
import { pattern, put, QUANTUM, startSession } from './helpers';

// The emulator as a program: `gcs-emulator --port P --data DIR` (packages/gcs-emulator/dist/main.js).
let dataDir: string;

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'storage-emulator-cli-'));
});

afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

function run(args: string[]) {
  return storageEmulatorScript().then((script) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (piece: Buffer) => (stdout += piece.toString()));
    child.stderr.on('data', (piece: Buffer) => (stderr += piece.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return { child, exited, output: () => ({ stdout, stderr }) };
  });
}

describe('main.js', () => {
  it('prints one JSON line when listening on a free port, nothing after it, and exits 0 on SIGTERM', async () => {
    const { child, exited, output } = await run(['--port', '0', '--data', dataDir]);
    try {
      const [line] = (await createInterface({ input: child.stdout })[Symbol.asyncIterator]().next()).value.split('\n');
      const event = JSON.parse(line) as { event: string; url: string };
      expect(event.event).toBe('listening');
      expect(event.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(Number(new URL(event.url).port)).toBeGreaterThan(0);

      const created = await fetch(`${event.url}/storage/v1/b?project=p`, { method: 'POST', body: JSON.stringify({ name: 'cli-bucket' }) });
      expect(created.status).toBe(200);
      const uri = await startSession(event.url, 'cli-bucket', 'cli.bin');
      expect((await put(uri, pattern(QUANTUM), `bytes 0-${QUANTUM - 1}/*`)).status).toBe(308);
      expect((await put(uri, pattern(10), `bytes ${2 * QUANTUM}-${2 * QUANTUM + 9}/*`)).status).toBe(400); // a gap

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      const { stdout, stderr } = output();
      expect(stdout).toBe(`${line}\n`);
      const uploadId = new URL(uri).searchParams.get('upload_id') as string;
      expect(stderr).not.toContain(uploadId);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('exits 0 on SIGINT too', async () => {
    const { child, exited } = await run(['--port', '0', '--data', dataDir]);
    await createInterface({ input: child.stdout })[Symbol.asyncIterator]().next();
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it('prints its help on --help and exits 0, wherever the flag stands', async () => {
    for (const args of [['--help'], ['--port', '0', '--help'], ['-h']]) {
      const { exited, output } = await run(args);
      expect(await exited).toBe(0);
      expect(output().stdout).toContain('usage:');
      for (const flag of ['--port', '--data', '--request-log', '--signing-credentials', '--cors-origin'])
        expect(output().stdout).toContain(flag);
      expect(output().stderr).toBe('');
    }
  });

  it('writes one line per request with --request-log: method, path, status, bytes, ms; no upload id or query value', async () => {
    const logFile = join(dataDir, 'requests.log');
    writeFileSync(logFile, 'an earlier line\n');
    const { child, exited } = await run(['--port', '0', '--data', dataDir, '--request-log', logFile]);
    try {
      const line = (await createInterface({ input: child.stdout })[Symbol.asyncIterator]().next()).value as string;
      const { url } = JSON.parse(line) as { url: string };
      await fetch(`${url}/storage/v1/b?project=p`, { method: 'POST', body: JSON.stringify({ name: 'log-bucket' }) });
      const uri = await startSession(url, 'log-bucket', 'secret name.bin');
      expect((await put(uri, pattern(QUANTUM), `bytes 0-${QUANTUM - 1}/*`)).status).toBe(308);
      expect((await fetch(`${url}/storage/v1/b/log-bucket/o/missing`)).status).toBe(404);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      const lines = readFileSync(logFile, 'utf8').trim().split('\n');
      expect(lines[0]).toBe('an earlier line');
      expect(lines.slice(1)).toEqual([
        expect.stringMatching(/^\S+Z POST \/storage\/v1\/b\?project 200 in=\d+ out=\d+ \d+\.\dms$/),
        expect.stringMatching(/ POST \/upload\/storage\/v1\/b\/log-bucket\/o\?uploadType=resumable&name 200 /),
        expect.stringMatching(/ PUT \/upload\/storage\/v1\/b\/log-bucket\/o\?uploadType=resumable&name&upload_id 308 in=(\d+) /),
        expect.stringMatching(/ GET \/storage\/v1\/b\/log-bucket\/o\/missing 404 /),
      ]);
      expect(Number(/ 308 in=(\d+)/.exec(lines[3])?.[1])).toBeGreaterThanOrEqual(QUANTUM);
      const text = lines.join('\n');
      expect(text).not.toContain(new URL(uri).searchParams.get('upload_id') as string);
      expect(text).not.toContain('secret');
    } finally {
      child.kill('SIGKILL');
    }
  });

  it.each([
    [['--data', '/tmp/x'], '--port'],
    [['--port', '0'], '--data'],
    [['--port', '0', '--data', '/tmp/x', '--session-ttl', '-1'], '--session-ttl'],
    [['--port', '0', '--data', '/tmp/x', '--verbose', 'yes'], 'unknown option'],
    [['--port', '0', '--data', '/tmp/x', '--request-log'], '--request-log needs a value'],
  ])('exits 2 with usage for bad arguments %j', async (args, complaint) => {
    const { exited, output } = await run(args);
    expect(await exited).toBe(2);
    expect(output().stdout).toBe('');
    expect(output().stderr).toContain(complaint);
    expect(output().stderr).toContain('usage:');
  });

  it('exits 1 with the reason when the request log or signing key cannot be read', async () => {
    for (const [flag, path, reason] of [
      ['--request-log', join(dataDir, 'no-such-dir', 'requests.log'), 'ENOENT'],
      ['--signing-credentials', join(dataDir, 'no-such-key.json'), '--signing-credentials'],
    ]) {
      const { exited, output } = await run(['--port', '0', '--data', dataDir, flag, path]);
      expect(await exited).toBe(1);
      expect(output().stdout).toBe('');
      expect(output().stderr).toContain(reason);
    }
  });

  it('exits 1 with the reason when the port is taken', async () => {
    const first = await run(['--port', '0', '--data', dataDir]);
    try {
      const line = (await createInterface({ input: first.child.stdout })[Symbol.asyncIterator]().next()).value as string;
      const port = new URL((JSON.parse(line) as { url: string }).url).port;
      const second = await run(['--port', port, '--data', dataDir]);
      expect(await second.exited).toBe(1);
      expect(second.output().stderr).toContain('EADDRINUSE');
    } finally {
      first.child.kill('SIGTERM');
      await first.exited;
    }
  });
});

describe('the gcs-emulator bin', () => {
  it('is linked by npm install and runs the built emulator: --help prints its usage', async () => {
    const bin = join(__dirname, '..', '..', '..', 'node_modules', '.bin', 'gcs-emulator');
    const child = spawn(bin, ['--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (piece: Buffer) => (stdout += piece.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    expect(stdout).toMatch(/^usage: gcs-emulator --port P --data DIR/);
  });
});
