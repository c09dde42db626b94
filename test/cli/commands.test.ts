import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, type Stack } from '../support/stack';
import { jsonLines, runCliToEnd, stackCliEnv } from './run-cli';

// ls, get, rm and the documented exit codes.
let stack: Stack;
let scratch: string;
let env: Record<string, string>;

beforeAll(async () => {
  stack = await startStack(__filename);
  scratch = mkdtempSync(join(tmpdir(), 'cli-commands-'));
  env = stackCliEnv(stack, scratch);
});
afterAll(async () => {
  await stack.close();
  rmSync(scratch, { recursive: true, force: true });
});

const files = (args: string[], extraEnv: Record<string, string> = {}) => runCliToEnd(args, { ...env, ...extraEnv });

it('downloads a file byte for byte, refuses to replace an existing path without --force (exit 2), and replaces it with', async () => {
  const bytes = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) % 251));
  writeFileSync(join(scratch, 'data.bin'), bytes);
  const upload = await files(['upload', join(scratch, 'data.bin'), '--json']);
  expect(upload.code).toBe(0);
  const { id } = JSON.parse(upload.stdout) as { id: string };
  const output = join(scratch, 'copy.bin');
  expect((await files(['download', id, '--output', output])).code).toBe(0);
  expect(readFileSync(output).equals(bytes)).toBe(true);

  writeFileSync(output, 'keep me');
  const refused = await files(['download', id, '--output', output]);
  expect(refused.code).toBe(2);
  expect(refused.stderr).toContain('--force replaces it');
  expect(readFileSync(output, 'utf8')).toBe('keep me');
  expect((await files(['download', id, '--output', output, '--force'])).code).toBe(0);
  expect(readFileSync(output).equals(bytes)).toBe(true);
});

it('uploads, lists, gets and removes a file', async () => {
  writeFileSync(join(scratch, 'notes.txt'), 'hello, files\n');
  const upload = await files(['upload', join(scratch, 'notes.txt'), '--json']);
  expect(upload.code).toBe(0);
  const file = JSON.parse(upload.stdout);

  const list = await files(['ls', '--json', '--status', 'uploaded']);
  expect(list.code).toBe(0);
  expect(jsonLines<{ id: string }>(list.stdout).map((f) => f.id)).toContain(file.id);
  const table = await files(['ls']);
  expect(table.stdout).toMatch(new RegExp(`^${file.id}  uploaded .* notes\\.txt$`, 'm'));

  const got = await files(['get', file.id]);
  expect([got.code, JSON.parse(got.stdout)]).toEqual([0, file]);

  expect(await files(['rm', file.id])).toMatchObject({ code: 0, stderr: `${file.id}: deleted\n` });
  // Deleting again is harmless, and says the file was gone already.
  expect(await files(['rm', file.id])).toMatchObject({ code: 0, stderr: `${file.id}: already deleted\n` });
  expect(await files(['rm', 'file_neverexisted'])).toMatchObject({ code: 3 });
  const gone = await files(['get', file.id]);
  expect(gone.code).toBe(3);
  expect(gone.stderr).toMatch(/^files: FILE_NOT_FOUND \(404\): .* \[trace \S+\]$/m);
});

it('exit codes: 2 usage and configuration, 3 missing local file, 4 access, 5 refused', async () => {
  expect((await files(['upload'])).code).toBe(2);
  expect((await files(['frobnicate'])).code).toBe(2);
  const unconfigured = await files(['ls'], { FILES_API_URL: '', FILES_API_KEY: '', FILES_ORG: '' });
  expect([unconfigured.code, unconfigured.stderr.trim()]).toEqual([
    2,
    'files: missing configuration: --api-url or FILES_API_URL, --api-key or FILES_API_KEY, --org or FILES_ORG',
  ]);
  expect((await files(['upload', join(scratch, 'no-such-file')])).code).toBe(3);
  expect((await files(['ls'], { FILES_API_KEY: 'ak_wrong' })).code).toBe(4);
  expect((await files(['ls', '--org', 'org_elsewhere'])).code).toBe(4);
  writeFileSync(join(scratch, 'bad.bin'), 'x');
  // --chunk-size sends it by upload-url, which refuses the type; the direct upload reads an unparsable part type as text/plain.
  const refused = await files(['upload', join(scratch, 'bad.bin'), '--mime-type', 'not a type', '--chunk-size', String(256 * 1024)]);
  expect(refused.code).toBe(5);
  expect(refused.stderr).toMatch(/bad\.bin: INVALID_FIELD_VALUE \(400\)/);
  expect((await files(['--help'])).code).toBe(0);
});
