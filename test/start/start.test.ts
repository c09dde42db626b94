import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiKeyHash, isWellFormedApiKey } from '../../functions/domain/api-key';
import { expireNow, requestUpload, statusBecomes, type Dev } from './demo-api';
import { stackEnv } from './stack-env';
import { descendants, isGone, StackProcess, type ProcessInfo } from './stack-process';

const PROJECT = 'test-start';
const BUCKET = `${PROJECT}-uploads`;

jest.setTimeout(180_000);

let localDir: string;
const started: StackProcess[] = [];

beforeEach(() => {
  localDir = mkdtempSync(join(tmpdir(), 'files-api-start-'));
});

afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.forceStop()));
  rmSync(localDir, { recursive: true, force: true });
});

/** `npm start`'s environment for this test: its own ports, project and local folder. */
const startEnv = (extra: NodeJS.ProcessEnv = {}) => stackEnv(localDir, PROJECT, extra);

function startStackProcess(env: NodeJS.ProcessEnv): StackProcess {
  const stack = new StackProcess(env);
  started.push(stack);
  return stack;
}

function readDevJson(): Record<string, string> {
  return JSON.parse(readFileSync(join(localDir, 'dev.json'), 'utf8'));
}

/** The stored document of an API key, read over the emulator's REST API. */
async function keyDocument(firestoreHost: string, apiKey: string): Promise<Response> {
  return fetch(`http://${firestoreHost}/v1/projects/${PROJECT}/databases/(default)/documents/api_keys/${apiKeyHash(apiKey)}`);
}

function expectParts(children: ProcessInfo[]): void {
  const commands = children.map((c) => c.args).join('\n');
  expect(commands).toMatch(/supervise\.js java .*cloud-firestore-emulator/);
  expect(commands).toMatch(/supervise\.js \S+ \S+gcs-emulator\/dist\/main\.js .*--on-finalize http:\/\/127\.0\.0\.1:\d+/);
  expect(commands).toMatch(/serve-function\.js \S+functions\/index\.js files 127\.0\.0\.1 \d+/);
  expect(commands).toMatch(/serve-function\.js \S+functions\/index\.js finalize 127\.0\.0\.1 \d+/);
  expect(commands).toMatch(/serve-function\.js \S+functions\/index\.js sweep 127\.0\.0\.1 \d+/);
}

/** Up, answering and seeded; then SIGINT stops every child and exits 0. Returns dev.json. */
async function runOnce(env: NodeJS.ProcessEnv): Promise<{ dev: Record<string, string>; stdout: string }> {
  const stack = startStackProcess(env);
  await stack.ready();
  const dev = readDevJson();
  expect(Object.keys(dev).sort()).toEqual(
    [
      'api_key',
      'bucket',
      'finalize_url',
      'firestore_host',
      'function_url',
      'organization_id',
      'project_id',
      'pubsub_host',
      'storage_url',
      'sweep_url',
    ].sort(),
  );
  expect(dev).toMatchObject({
    function_url: `http://127.0.0.1:${env.FUNCTION_PORT}`,
    finalize_url: `http://127.0.0.1:${env.FINALIZE_PORT}`,
    sweep_url: `http://127.0.0.1:${env.SWEEP_PORT}`,
    firestore_host: `127.0.0.1:${env.FIRESTORE_PORT}`,
    bucket: BUCKET,
    project_id: PROJECT,
    organization_id: 'org_demo',
  });
  expect(isWellFormedApiKey(dev.api_key)).toBe(true);
  expect(stack.stdout).toContain(
    `curl -sS -F "file=@README.md" -H "X-API-Key: ${dev.api_key}" "${dev.function_url}/v1/organizations/org_demo/files/upload"`,
  );

  const answer = await fetch(`${dev.function_url}/`);
  expect(answer.status).toBeGreaterThanOrEqual(200);
  const keyDoc = await keyDocument(dev.firestore_host, dev.api_key);
  expect(keyDoc.status).toBe(200);
  const { fields } = (await keyDoc.json()) as { fields: Record<string, unknown> };
  expect(fields.principal_id).toEqual({ stringValue: 'usr_demo' });
  expect((await fetch(`${dev.storage_url}/storage/v1/b/${BUCKET}`)).status).toBe(200);

  const children = descendants(stack.pid);
  expectParts(children);
  stack.child.kill('SIGINT');
  expect(await stack.exitWithin(30_000)).toEqual({ code: 0, signal: null });
  expect(children.filter((c) => !isGone(c.pid))).toEqual([]);
  return { dev, stdout: stack.stdout };
}

describe('npm start', () => {
  it('brings the stack up with demo data, stops every child on SIGINT, and a second start reuses the key', async () => {
    const env = await startEnv();
    const first = await runOnce(env);
    expect(first.stdout).toContain('API key created now');
    // Ports picked afresh: one freed by the first stack may be anyone's by now.
    const second = await runOnce(await startEnv());
    expect(second.dev.api_key).toBe(first.dev.api_key);
    expect(second.stdout).toContain('API key kept from the last start');
  });

  it('finalizes an upload nobody registers, sweeps on a schedule, and stops the finalize and sweep functions on SIGINT', async () => {
    const stack = startStackProcess(await startEnv({ SWEEP_INTERVAL_SECONDS: '1' }));
    await stack.ready();
    const dev = readDevJson() as unknown as Dev & { finalize_url: string };
    expect(stack.stdout).toContain(`finalize function   ${dev.finalize_url}  (target "finalize"`);
    expect(stack.stdout).toContain(`sweep function      ${dev.sweep_url}  (target "sweep": POSTed every 1 s`);

    // The client sends its bytes and never registers: the finalized event alone completes the file.
    const bytes = Buffer.from('%PDF-1.7\n' + 'x'.repeat(1000));
    const upload = await requestUpload(dev, 'never-registered.pdf', bytes.length, 'application/pdf');
    expect((await fetch(upload.upload_url, { method: 'PUT', body: bytes })).status).toBe(200);
    expect(await statusBecomes(dev, upload.file_id, 'uploaded')).toBe('uploaded');

    const swept = await fetch(dev.sweep_url, { method: 'POST' });
    expect(swept.status).toBe(200);
    expect(swept.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await swept.json()).toEqual({
      expired: expect.any(Number),
      completed: expect.any(Number),
      abandoned: expect.any(Number),
      cleaned: expect.any(Number),
      orphans: expect.any(Number),
      has_more: false,
    });

    // The scheduled sweep finds an upload past its expiry, expires it, and says so in one line.
    const abandoned = await requestUpload(dev, 'abandoned.bin', 10, 'application/octet-stream');
    await expireNow(dev, abandoned.file_id);
    expect(await statusBecomes(dev, abandoned.file_id, 'expired')).toBe('expired');
    for (let i = 0; i < 50 && !stack.stdout.includes('scheduler | '); i++) await new Promise((r) => setTimeout(r, 100));
    expect(stack.stdout.split('\n').filter((line) => line.startsWith('scheduler | '))).toEqual([
      'scheduler | sweep: 1 expired, 0 completed',
    ]);

    const children = descendants(stack.pid);
    expectParts(children);
    stack.child.kill('SIGINT');
    expect(await stack.exitWithin(30_000)).toEqual({ code: 0, signal: null });
    expect(children.filter((c) => !isGone(c.pid))).toEqual([]);
  });

  it('keeps the same key working when Firestore lost its data', async () => {
    const env = await startEnv();
    const first = await runOnce(env);
    rmSync(join(localDir, 'firestore'), { recursive: true, force: true });
    // Ports picked afresh: one freed by the first stack may be anyone's by now.
    const second = await runOnce(await startEnv());
    expect(second.dev.api_key).toBe(first.dev.api_key);
    expect(second.stdout).toContain('re-stored');
  });

  it.each([
    ['files function', / files 127\.0\.0\.1 /],
    ['sweep function', / sweep 127\.0\.0\.1 /],
    // The emulator itself, not its supervisor: the supervisor passes its death on.
    ['storage emulator', /^\S+ \S+gcs-emulator\/dist\/main\.js /],
    // Java's supervisor, not Java: the stack stops the group, so Java goes too.
    ['Firestore emulator', /supervise\.js java /],
  ])('stops everything, exiting 1, when a child dies (the %s)', async (name, command) => {
    const stack = startStackProcess(await startEnv());
    await stack.ready();
    const children = descendants(stack.pid);
    expectParts(children);
    const fn = children.find((c) => command.test(c.args)) as ProcessInfo;
    process.kill(fn.pid, 'SIGKILL');
    expect(await stack.exitWithin(30_000)).toEqual({ code: 1, signal: null });
    expect(stack.stderr).toContain(`npm start: the ${name} was killed by SIGKILL; stopping the rest`);
    expect(children.filter((c) => !isGone(c.pid))).toEqual([]);
  });

  it('fails fast on a taken port, naming it and the variable that moves it', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const stack = startStackProcess(await startEnv({ STORAGE_PORT: String(port) }));
      expect(await stack.exitWithin(15_000)).toEqual({ code: 1, signal: null });
      expect(stack.stderr).toBe(
        `npm start: port ${port} (storage emulator) is already in use: stop what holds it, or set STORAGE_PORT to another port\n`,
      );
    } finally {
      blocker.close();
    }
  });

  it('says once what is wrong with a setting of the functions, and starts nothing', async () => {
    const stack = startStackProcess(await startEnv({ MAX_FILE_SIZE: 'lots' }));
    expect(await stack.exitWithin(30_000)).toEqual({ code: 1, signal: null });
    // One line that names the variable and its bound; no stack trace, nothing said twice.
    expect(stack.stderr).toMatch(/^npm start: MAX_FILE_SIZE="lots": must be [^\n]+\n$/);
    expect(descendants(stack.pid)).toEqual([]);
  });

  it("lists every problem of the functions' settings, each once", async () => {
    const stack = startStackProcess(await startEnv({ MAX_FILE_SIZE: 'lots', CHUNK_SIZE_RECOMMENDED: '1000000' }));
    expect(await stack.exitWithin(30_000)).toEqual({ code: 1, signal: null });
    const lines = stack.stderr.split('\n');
    expect(lines[0]).toBe("npm start: the functions' configuration has 2 problems:");
    expect(lines.slice(1).sort()).toEqual([
      '',
      expect.stringMatching(/^ {2}CHUNK_SIZE_RECOMMENDED=1000000: /),
      expect.stringMatching(/^ {2}MAX_FILE_SIZE="lots": /),
    ]);
  });

  it.each([
    [
      'the Firestore jar',
      { FIRESTORE_EMULATOR_JAR: '/nonexistent/cloud-firestore-emulator.jar' },
      /^npm start: Firestore emulator not found .*install it/,
    ],
    ['Java', { JAVA: '/nonexistent/java' }, /^npm start: Java not found \(\/nonexistent\/java\): install Java 17/],
  ])('says in one line what to install when %s is missing', async (_what, extra, message) => {
    const stack = startStackProcess(await startEnv(extra));
    expect(await stack.exitWithin(30_000)).toEqual({ code: 1, signal: null });
    expect(stack.stderr).toMatch(/^[^\n]+\n$/);
    expect(stack.stderr).toMatch(message);
  });
});
