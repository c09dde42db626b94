import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadContract, ROOT } from '../../scripts/contract/load';
import { startStack, type Stack } from '../support/stack';

// docs/API.md's examples, run as a reader would paste them, against the function.
const reference = readFileSync(join(ROOT, 'docs', 'API.md'), 'utf8');
const { contract } = loadContract();

function examplesOf(summary: string): Record<string, string> {
  const section = reference.split(/^### /m).find((s) => s.startsWith(`${summary}\n`)) ?? '';
  return Object.fromEntries([...section.matchAll(/^```(sh|python|javascript)\n([\s\S]*?)^```$/gm)].map((m) => [m[1], m[2]]));
}

function run(language: string, code: string, env: Record<string, string>, cwd?: string): Promise<{ code: number | null; out: string }> {
  const [command, args] =
    language === 'sh'
      ? ['bash', ['-c', code]]
      : language === 'python'
        ? ['python3', ['-c', code]]
        : [process.execPath, ['--input-type=module', '-e', code]];
  return new Promise((resolve, reject) => {
    // Asynchronous on purpose: the function answering it runs in this process.
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (exit) => resolve({ code: exit, out }));
  });
}

describe('the examples in docs/API.md', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack(__filename);
  });
  afterAll(() => stack?.close());
  const env = () => ({ BASE_URL: stack.api.url, API_KEY: stack.apiKey });

  it('are there for each operation with a request body, in shell, Python and JavaScript', () => {
    for (const op of contract.operations.filter((o: { request?: string }) => o.request)) {
      expect(Object.keys(examplesOf(op.summary)).sort()).toEqual(['javascript', 'python', 'sh']);
    }
    expect(stack.organizationId).toBe('org_123');
  });

  it.each(['sh', 'python', 'javascript'])('Generate upload URL (%s) answers an upload session', async (language) => {
    const { code, out } = await run(language, examplesOf('Generate upload URL')[language], env());
    expect({ code, out }).toMatchObject({ code: 0, out: expect.stringContaining('upload_url') });
    if (language !== 'sh') expect(out).toMatch(/^200 /);
  });

  it.each(['python', 'javascript'])('Register file (%s) reaches register: its sample upload does not exist', async (language) => {
    const { code, out } = await run(language, examplesOf('Register file')[language], env());
    expect({ code, out }).toMatchObject({ code: 0, out: expect.stringMatching(/^404 [\s\S]*FILE_NOT_FOUND/) });
  });

  it.each(['sh', 'python', 'javascript'])('Upload a file (%s) stores report.pdf in one request', async (language) => {
    const here = mkdtempSync(join(tmpdir(), 'upload-example-'));
    writeFileSync(join(here, 'report.pdf'), '%PDF-1.7\n% a one-line report\n');
    const { code, out } = await run(language, examplesOf('Upload a file')[language], env(), here);
    expect({ code, out }).toMatchObject({ code: 0, out: expect.stringMatching(/status["']?: ?["']uploaded/) });
    if (language !== 'sh') expect(out).toMatch(/^201 /);
  });
});
