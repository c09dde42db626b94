import { crc32c } from '@node-rs/crc32';
import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStorage, type RunningStorage } from '../../scripts/local-stack/emulators';
import { crc32cBase64, MIB, randomFile } from '../sdk/helpers';
import { isolatedNames, startStack, type Stack } from '../support/stack';
import { runCliToEnd, stackCliEnv } from './run-cli';

// Which way `files upload` sends a file, read from a storage emulator of this file's own that logs each request:
// at or under the direct-upload cap, one request to the function and no session; above it, a resumable session.
let storage: RunningStorage;
let stack: Stack;
let scratch: string;
let requestLog: string;
let env: Record<string, string>;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'cli-direct-'));
  requestLog = join(scratch, 'requests.log');
  storage = await startStorage({
    host: '127.0.0.1',
    port: 0,
    dataDir: join(scratch, 'data'),
    requestLog,
    signingCredentials: process.env.GOOGLE_APPLICATION_CREDENTIALS,
  });
  const { projectId, bucket } = isolatedNames(__filename);
  // By JSON API: a Storage client here would follow the global STORAGE_EMULATOR_HOST, not this emulator.
  const made = await fetch(`${storage.url}/storage/v1/b?project=${projectId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: bucket }),
  });
  expect(made.status).toBe(200);
  stack = await startStack(__filename, { STORAGE_EMULATOR_HOST: storage.url });
  env = stackCliEnv(stack, scratch);
}, 60_000);
afterAll(async () => {
  await stack?.close();
  await storage?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

const files = (args: string[]) => runCliToEnd(args, env);

/** The request-log lines of uploads to storage (one per request) written while `work` ran. */
async function storageUploads(work: () => Promise<void>): Promise<string[]> {
  const before = readFileSync(requestLog, 'utf8').length;
  await work();
  return readFileSync(requestLog, 'utf8')
    .slice(before)
    .split('\n')
    .filter((line) => / \/upload\/storage\/v1\/b\//.test(line));
}

async function storedCrc32c(path: string): Promise<string> {
  const answer = await fetch(`${storage.url}/storage/v1/b/${stack.bucket}/o/${encodeURIComponent(path)}`);
  return ((await answer.json()) as { crc32c: string }).crc32c;
}

it('sends a 3 MB file in one request with its purpose and metadata: no session at storage', async () => {
  const path = join(scratch, 'report.pdf');
  const bytes = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomFile(path, 3 * MIB)]);
  writeFileSync(path, bytes);
  let upload = { code: null as number | null, stdout: '', stderr: '' };
  const uploads = await storageUploads(async () => {
    upload = await files(['upload', path, '--json', '--purpose', 'report', '--metadata', 'team=ops', '--metadata', 'note=a=b']);
  });
  expect([upload.code, upload.stderr]).toEqual([0, expect.stringMatching(/^report\.pdf: 3\.0 MiB \/ 3\.0 MiB \(100%\)/m)]);
  const file = JSON.parse(upload.stdout);
  expect(file).toMatchObject({
    status: 'uploaded',
    original_filename: 'report.pdf',
    mime_type: 'application/pdf',
    file_size: bytes.length,
    crc32c: crc32cBase64(bytes),
    purpose: 'report',
    metadata: { team: 'ops', note: 'a=b' },
  });
  expect(uploads).toHaveLength(1);
  expect(uploads[0]).not.toContain('uploadType=resumable');
  expect(await storedCrc32c(file.storage_path)).toBe(crc32cBase64(bytes));
});

it('sends a 300 MB file resumably, in chunks of one session, and keeps no resume state once done', async () => {
  const path = join(scratch, 'disk.img');
  const size = 300 * 1000 * 1000;
  writeFileSync(path, '');
  truncateSync(path, size);
  let upload = { code: null as number | null, stdout: '', stderr: '' };
  const uploads = await storageUploads(async () => {
    upload = await files(['upload', path, '--json', '--purpose', 'backup']);
  });
  expect([upload.code, upload.stdout === '' ? upload.stderr : '']).toEqual([0, '']);
  const file = JSON.parse(upload.stdout);
  const zeros = Buffer.alloc(MIB);
  let crc = 0;
  for (let done = 0; done < size; done += MIB) crc = crc32c(zeros.subarray(0, Math.min(MIB, size - done)), crc);
  const expected = Buffer.alloc(4);
  expected.writeUInt32BE(crc >>> 0);
  expect(file).toMatchObject({ status: 'uploaded', file_size: size, crc32c: expected.toString('base64'), purpose: 'backup' });
  expect(uploads.filter((line) => line.includes(' POST ') && line.includes('uploadType=resumable'))).toHaveLength(1);
  expect(uploads.filter((line) => line.includes(' PUT ')).length).toBeGreaterThan(1);
  expect(readdirSync(join(scratch, 'state')).filter((name) => name.endsWith('.json'))).toEqual([]);
}, 180_000);

it('refuses malformed --metadata before calling anyone (exit 2), and shows what the API says of a bad purpose', async () => {
  const path = join(scratch, 'note.txt');
  randomFile(path, 100);
  const noValue = await files(['upload', path, '--metadata', 'team']);
  expect(noValue.code).toBe(2);
  expect(noValue.stderr).toContain(`option '--metadata <key=value>' argument 'team' is invalid. expected KEY=VALUE, got "team"`);
  const twice = await files(['upload', path, '--metadata', 'team=a', '--metadata', 'team=b']);
  expect(twice.code).toBe(2);
  expect(twice.stderr).toContain('the key "team" is given twice');
  const badPurpose = await files(['upload', path, '--purpose', 'Quarterly Report']);
  expect(badPurpose.code).toBe(5);
  expect(badPurpose.stderr).toMatch(/^note\.txt: INVALID_FIELD_VALUE \(400\): purpose must be/m);
});
