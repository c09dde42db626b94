import { readdirSync, statSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFaultProxy, type FaultProxy } from '../sdk/fault-proxy';
import { crc32cBase64, MIB, randomFile } from '../sdk/helpers';
import { emulatorHosts, startStack, type Stack } from '../support/stack';
import { jsonLines, runCli } from './run-cli';

// `files upload` as a user runs it: a real process, killed, interrupted, run again.
let proxy: FaultProxy;
let stack: Stack;
let scratch: string;
let stateDir: string;
let env: Record<string, string>;

beforeAll(async () => {
  proxy = await startFaultProxy(emulatorHosts().storage);
  stack = await startStack(__filename, { STORAGE_EMULATOR_HOST: proxy.url });
  scratch = mkdtempSync(join(tmpdir(), 'cli-upload-'));
  stateDir = join(scratch, 'state');
  env = {
    FILES_API_URL: stack.api.url,
    FILES_API_KEY: stack.apiKey,
    FILES_ORG: stack.organizationId,
    FILES_STATE_DIR: stateDir,
    FILES_RETRY_BASE_MS: '20',
  };
});
afterAll(async () => {
  await stack.close();
  await proxy.close();
  rmSync(scratch, { recursive: true, force: true });
});
beforeEach(() => proxy.reset());

const stateFiles = () => readdirSync(stateDir).filter((name) => name.endsWith('.json'));

it('prints plain progress lines when not on a terminal, and one JSON File line per file with --json', async () => {
  const one = randomFile(join(scratch, 'one.bin'), 3 * MIB);
  const two = randomFile(join(scratch, 'two.txt'), 1000);
  const run = runCli(['upload', join(scratch, 'one.bin'), join(scratch, 'two.txt'), '--json', '--chunk-size', String(MIB)], env);
  expect(await run.exit).toEqual({ code: 0, signal: null });
  const files = jsonLines(run.stdout());
  expect(files).toMatchObject([
    { status: 'uploaded', original_filename: 'one.bin', file_size: one.length, crc32c: crc32cBase64(one) },
    { status: 'uploaded', original_filename: 'two.txt', mime_type: 'text/plain', crc32c: crc32cBase64(two) },
  ]);
  expect(run.stderr()).not.toMatch(/\x1b\[/);
  expect(run.stderr()).toMatch(/^one\.bin: 1\.0 MiB \/ 3\.0 MiB \(33%\) \S+ \S+\/s ETA \S+$/m);
  expect(run.stderr()).toMatch(/^one\.bin: 3\.0 MiB \/ 3\.0 MiB \(100%\) .* ETA 0s$/m);
  expect(run.stderr()).toMatch(/^two\.txt: 1000 B \/ 1000 B \(100%\)/m);
  expect(stateFiles()).toEqual([]);
});

it('resumes after kill -9 from its state file, without sending the finished part again', async () => {
  const path = join(scratch, 'big.mp4');
  const bytes = randomFile(path, 48 * MIB);
  const first = runCli(['upload', path, '--json', '--chunk-size', String(MIB)], env);
  await first.waitFor(/big\.mp4: \d/);
  first.child.kill('SIGKILL');
  expect(await first.exit).toEqual({ code: null, signal: 'SIGKILL' });
  const [state] = stateFiles();
  expect(statSync(join(stateDir, state)).mode & 0o777).toBe(0o600);
  expect(statSync(stateDir).mode & 0o777).toBe(0o700);

  proxy.reset();
  const second = runCli(['upload', path, '--json', '--chunk-size', String(MIB)], env);
  expect(await second.exit).toEqual({ code: 0, signal: null });
  expect(second.stderr()).toContain('big.mp4: resuming a stored upload session');
  // At least the first chunk was confirmed before the kill: it is not sent again.
  expect(proxy.bytesUp()).toBeLessThan(bytes.length - MIB + 64 * 1024);
  const file = JSON.parse(second.stdout());
  expect(file).toMatchObject({ status: 'uploaded', mime_type: 'video/mp4', file_size: bytes.length, crc32c: crc32cBase64(bytes) });
  const [metadata] = await stack.storage.bucket(stack.bucket).file(file.storage_path).getMetadata();
  expect(metadata.crc32c).toBe(crc32cBase64(bytes));
  expect(stateFiles()).toEqual([]);
}, 120_000);

it('stops on Ctrl-C with exit 130, keeps its state, and the next run finishes the same file', async () => {
  const path = join(scratch, 'interrupted.bin');
  const bytes = randomFile(path, 24 * MIB);
  const first = runCli(['upload', path, '--chunk-size', String(MIB)], env);
  await first.waitFor(/interrupted\.bin: \d/);
  first.child.kill('SIGINT');
  expect((await first.exit).code).toBe(130);
  expect(first.stderr()).toContain('interrupted.bin: interrupted; run the same command again to resume');
  expect(stateFiles()).toHaveLength(1);
  const second = runCli(['upload', path, '--json'], env);
  expect((await second.exit).code).toBe(0);
  expect(JSON.parse(second.stdout())).toMatchObject({ status: 'uploaded', crc32c: crc32cBase64(bytes) });
}, 120_000);

it('shows the checksum pass before the first byte, and Ctrl-C during it claims nothing to resume', async () => {
  const path = join(scratch, 'sparse.bin');
  // 2 GiB that take no disk: the pass reads them all, long enough to be interrupted half-way.
  writeFileSync(path, '');
  truncateSync(path, 2 * 1024 * MIB);
  const run = runCli(['upload', path], env);
  await run.waitFor(/^sparse\.bin: checksum \d+\.\d MiB \/ 2\.0 GiB \(\d+%\)/m);
  run.child.kill('SIGINT');
  expect((await run.exit).code).toBe(130);
  expect(run.stderr()).toMatch(/^sparse\.bin: interrupted$/m);
  expect(run.stderr()).not.toContain('resume');
  expect(stateFiles()).toEqual([]);
}, 120_000);

it('a register refused for good (422) says what was declared and found, and forgets the session', async () => {
  const path = join(scratch, 'clip.mp4');
  writeFileSync(path, Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(4096)]));
  const run = runCli(['upload', path], env);
  expect((await run.exit).code).toBe(6);
  expect(run.stderr()).toMatch(/^clip\.mp4: UPLOAD_VERIFICATION_FAILED \(422\): .*\(content: expected video\/mp4, actual image\/png\)/m);
  // Run again, it starts afresh instead of repeating the same 422 against the same failed file.
  expect(stateFiles()).toEqual([]);
}, 60_000);
