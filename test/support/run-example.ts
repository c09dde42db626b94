import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const SPEC_BASE_URL = 'https://api.aitronos.com';

type SeedExample = 'seed-curl.sh' | 'seed-python.py' | 'seed-javascript.js' | 'seed-python-resumable.py';

/** Runs one of the seed's examples as written (or several, one after the other, as one program: an example
 * that goes on "from above"), with only its base URL (and what `alsoSwap` names) swapped. */
export function runSeedExample(
  examples: SeedExample | SeedExample[],
  baseUrl: string,
  apiKey: string,
  alsoSwap: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const files = ([] as SeedExample[]).concat(examples);
  const file = files.join(' + ');
  let code = files.map((f) => readFileSync(join(__dirname, '..', 'examples', f), 'utf8')).join('\n');
  for (const [from, to] of Object.entries({ [SPEC_BASE_URL]: baseUrl, ...alsoSwap })) {
    if (!code.includes(from)) throw new Error(`${file} no longer has ${from}`);
    code = code.split(from).join(to);
  }
  const [command, args] =
    files[0] === 'seed-curl.sh'
      ? ['bash', ['-c', code]]
      : files[0].endsWith('.py')
        ? ['python3', ['-c', code]]
        : [process.execPath, ['-e', code]];
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
