import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomFile } from '../sdk/helpers';
import { startStack, type Stack } from '../support/stack';
import { jsonLines, runCliToEnd, stackCliEnv } from './run-cli';

// `files ls --search/--purpose`, `files mv`, and an upload in progress in `files ls`.
let stack: Stack;
let scratch: string;
let env: Record<string, string>;
const ids: Record<string, string> = {};

beforeAll(async () => {
  stack = await startStack(__filename);
  scratch = mkdtempSync(join(tmpdir(), 'cli-find-'));
  env = stackCliEnv(stack, scratch);
  writeFileSync(join(scratch, 'Quarterly Report.pdf'), '%PDF-1.7\n% the numbers\n');
  randomFile(join(scratch, 'report-draft.txt'), 2000);
  randomFile(join(scratch, 'notes.txt'), 3000);
  for (const [name, purpose] of [
    ['Quarterly Report.pdf', 'finance'],
    ['report-draft.txt', 'finance'],
    ['notes.txt', 'user_upload'],
  ]) {
    const upload = await files(['upload', join(scratch, name), '--purpose', purpose, '--json']);
    expect(upload.code).toBe(0);
    ids[name] = (JSON.parse(upload.stdout) as { id: string }).id;
  }
}, 60_000);
afterAll(async () => {
  await stack.close();
  rmSync(scratch, { recursive: true, force: true });
});

const files = (args: string[]) => runCliToEnd(args, env);

const names = (stdout: string) => jsonLines<{ original_filename: string }>(stdout).map((f) => f.original_filename);

it('ls --search finds names by prefix in any case, --purpose by purpose, and both together', async () => {
  const search = await files(['ls', '--search', 'REPORT', '--json']);
  expect([search.code, names(search.stdout)]).toEqual([0, ['report-draft.txt']]);
  const quarterly = await files(['ls', '--search', 'quarterly r', '--json']);
  expect(names(quarterly.stdout)).toEqual(['Quarterly Report.pdf']);
  const finance = await files(['ls', '--purpose', 'finance', '--json']);
  expect(names(finance.stdout).sort()).toEqual(['Quarterly Report.pdf', 'report-draft.txt']);
  const both = await files(['ls', '--purpose', 'user_upload', '--search', 'rep', '--json']);
  expect([both.code, both.stdout]).toEqual([0, '']);
  const table = await files(['ls', '--search', 'notes']);
  expect(table.stdout).toMatch(new RegExp(`^${ids['notes.txt']}  uploaded .* notes\\.txt\\n$`));
});

it('mv renames a file: get, ls --search and content follow; a bad name or id is refused', async () => {
  const id = ids['report-draft.txt'];
  const moved = await files(['mv', id, 'Report (final).txt']);
  expect([moved.code, moved.stderr]).toEqual([0, `${id}: renamed to Report (final).txt\n`]);
  expect(JSON.parse((await files(['get', id])).stdout)).toMatchObject({ original_filename: 'Report (final).txt', purpose: 'finance' });
  expect(names((await files(['ls', '--search', 'report', '--json'])).stdout)).toEqual(['Report (final).txt']);
  const content = await fetch(`${stack.api.url}/v1/organizations/${stack.organizationId}/files/${id}/content`, {
    headers: { 'X-API-Key': stack.apiKey },
  });
  expect(await content.json()).toMatchObject({ file_id: id, filename: 'Report (final).txt' });

  const slash = await files(['mv', id, 'a/b.txt']);
  expect(slash.code).toBe(5);
  expect(slash.stderr).toMatch(/^files: INVALID_FIELD_VALUE \(400\): Filename must be/m);
  const missing = await files(['mv', 'file_00000000000000000000000000', 'x.txt']);
  expect(missing.code).toBe(3);
  const usage = await files(['mv', id]);
  expect(usage.code).toBe(2);
  expect(usage.stderr).toContain("missing required argument 'new_name'");
});

it('ls shows how far an upload in progress has got', async () => {
  const size = 1024 * 1024;
  const session = (await (
    await fetch(stack.uploadUrl(), {
      method: 'POST',
      headers: { 'X-API-Key': stack.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ filename: 'half.bin', file_size: size, mime_type: 'application/octet-stream' }),
    })
  ).json()) as { upload_url: string; file_id: string };
  const put = await fetch(session.upload_url, {
    method: 'PUT',
    headers: { 'Content-Range': `bytes 0-${size / 4 - 1}/${size}` },
    body: Buffer.alloc(size / 4),
  });
  expect(put.status).toBe(308);
  const listed = await files(['ls', '--status', 'uploading']);
  expect(listed.stdout).toMatch(new RegExp(`^${session.file_id}  uploading  25% of 1\\.0 MiB  .*  half\\.bin$`, 'm'));
});
