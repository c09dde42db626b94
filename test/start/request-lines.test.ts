import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../emulator/free-port';
import { shortLine } from '../../scripts/local-stack/request-lines';
import type { Dev } from './demo-api';
import { StackProcess } from './stack-process';

jest.setTimeout(180_000);

const AT = new Date(2026, 0, 2, 9, 5, 7);

describe('shortLine', () => {
  it('turns a request line into time, method, path, status, code and duration', () => {
    const line = JSON.stringify({
      severity: 'WARNING',
      message: 'GET /v1/organizations/org_demo/files/file_x 404 FILE_NOT_FOUND',
      httpRequest: { requestMethod: 'GET', requestUrl: '/v1/organizations/org_demo/files/file_x', status: 404, latency: '0.012345s' },
      error_code: 'FILE_NOT_FOUND',
      trace_id: 'abc',
    });
    expect(shortLine(line, AT)).toBe('09:05:07 GET /v1/organizations/org_demo/files/file_x 404 FILE_NOT_FOUND 12 ms');
  });

  it('keeps other lines short, and plain text as it is', () => {
    expect(shortLine(JSON.stringify({ severity: 'ERROR', message: 'background work failed: x', error: { a: 1 } }), AT)).toBe(
      '09:05:07 ERROR background work failed: x',
    );
    expect(shortLine('Error: something plain', AT)).toBe('Error: something plain');
  });
});

describe('npm start', () => {
  let localDir: string;
  let stack: StackProcess | undefined;

  beforeAll(async () => {
    localDir = mkdtempSync(join(tmpdir(), 'files-api-request-lines-'));
    const env: NodeJS.ProcessEnv = { ...process.env, LOCAL_DIR: localDir, SWEEP_INTERVAL_SECONDS: '0' };
    for (const name of ['FIRESTORE_PORT', 'STORAGE_PORT', 'FUNCTION_PORT', 'FINALIZE_PORT', 'SWEEP_PORT', 'WEB_PORT']) {
      env[name] = String(await freePort());
    }
    delete env.FIRESTORE_EMULATOR_HOST;
    delete env.STORAGE_EMULATOR_HOST;
    stack = new StackProcess(env);
    await stack.ready();
  });
  afterAll(async () => {
    await stack?.forceStop();
    rmSync(localDir, { recursive: true, force: true });
  });

  it('shows one short line per request, and keeps the JSON line in .local/functions.log', async () => {
    const dev = JSON.parse(readFileSync(join(localDir, 'dev.json'), 'utf8')) as Dev;
    const files = `/v1/organizations/${dev.organization_id}/files`;
    expect((await fetch(`${dev.function_url}${files}?limit=2`, { headers: { 'X-API-Key': dev.api_key } })).status).toBe(200);
    expect((await fetch(`${dev.function_url}${files}/file_nope`, { headers: { 'X-API-Key': dev.api_key } })).status).toBe(404);
    const out = () => stack!.stdout;
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
});
