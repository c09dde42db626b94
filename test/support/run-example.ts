import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const SPEC_BASE_URL = 'https://api.aitronos.com';

/** Runs one of the seed's examples as written, with only its base URL (and what `alsoSwap` names) swapped. */
export function runSeedExample(
  file: 'seed-curl.sh' | 'seed-python.py' | 'seed-javascript.js' | 'seed-python-flow.py',
  baseUrl: string,
  apiKey: string,
  alsoSwap: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let code = readFileSync(join(__dirname, '..', 'examples', file), 'utf8');
  for (const [from, to] of Object.entries({ [SPEC_BASE_URL]: baseUrl, ...alsoSwap })) {
    if (!code.includes(from)) throw new Error(`${file} no longer has ${from}`);
    code = code.split(from).join(to);
  }
  const [command, args] =
    file === 'seed-curl.sh' ? ['bash', ['-c', code]] : file.endsWith('.py') ? ['python3', ['-c', code]] : [process.execPath, ['-e', code]];
  return new Promise((resolve, reject) => {
    // Asynchronous on purpose: the function answering it runs in this process.
    const child = spawn(command, args, { env: { ...process.env, FREDDY_API_KEY: apiKey }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (exit) => resolve({ code: exit, stdout, stderr }));
  });
}
