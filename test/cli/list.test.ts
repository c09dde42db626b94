import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedUploadedFiles } from '../../bench/lib/seed-file-records';
import { seedMember, startStack, type Stack } from '../support/stack';
import { jsonLines, runCliToEnd } from './run-cli';

// `files ls --all` walks every page (by page_token, through the SDK); without --all it shows the first.
let stack: Stack;
let scratch: string;
let env: Record<string, string>;
let newestFirst: string[];
const ORG = 'org_cli_list';

beforeAll(async () => {
  stack = await startStack(__filename);
  scratch = mkdtempSync(join(tmpdir(), 'cli-list-'));
  const { apiKey } = await seedMember(stack.db, ORG, 'usr_cli_lister');
  newestFirst = (await seedUploadedFiles(stack.db, ORG, 25)).map((r) => r.id);
  env = { FILES_API_URL: stack.api.url, FILES_API_KEY: apiKey, FILES_ORG: ORG, FILES_STATE_DIR: join(scratch, 'state') };
});
afterAll(async () => {
  await stack.close();
  rmSync(scratch, { recursive: true, force: true });
});

const files = (args: string[]) => runCliToEnd(args, env);

const listed = (stdout: string) => jsonLines<{ id: string }>(stdout).map((f) => f.id);

it('ls --all lists every file once, newest first, across pages', async () => {
  const all = await files(['ls', '--all', '--json', '--limit', '10']);
  expect([all.code, all.stderr]).toEqual([0, '']);
  expect(listed(all.stdout)).toEqual(newestFirst);
  const table = await files(['ls', '--all', '--limit', '7', '--status', 'uploaded']);
  expect(table.code).toBe(0);
  expect(
    table.stdout
      .trim()
      .split('\n')
      .map((line) => line.split('  ')[0]),
  ).toEqual(newestFirst);
});

it('ls shows the first page and says there are more', async () => {
  const first = await files(['ls', '--limit', '10']);
  expect(first.code).toBe(0);
  expect(first.stdout.trim().split('\n')).toHaveLength(10);
  expect(first.stderr).toBe('(25 files; --all lists every page)\n');
});
