import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killTagged, newTag, taggedProcesses, untilNoneLeft } from '../start/tagged-processes';

/**
 * A Jest run killed mid-run (Ctrl-C reaching Jest alone, a CI's SIGTERM, the OOM killer's SIGKILL) leaves
 * nothing behind: not its workers, which were mid-test, nor the emulators its global setup started and
 * their supervisors. The run is test/faults/support/jest-run: the repository's global setup and test
 * environment, two test files that wait, in two workers. Its processes are found by a tag in their
 * environment, which all of them inherit (Java too).
 */
jest.setTimeout(180_000);

const JEST = require.resolve('jest/bin/jest');
const CONFIG = join(__dirname, 'support', 'jest-run', 'jest.config.js');

/** The pids of the workers once both test files run; rejects if Jest ends first. */
async function untilBothRun(running: string, jestExited: Promise<unknown>): Promise<number[]> {
  let ended = false;
  void jestExited.then(() => (ended = true));
  for (;;) {
    const pids = existsSync(running) ? readFileSync(running, 'utf8').trim().split('\n').filter(Boolean).map(Number) : [];
    if (pids.length === 2) return pids;
    if (ended) throw new Error('the Jest run ended before both of its test files ran');
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe.each(['SIGINT', 'SIGTERM', 'SIGKILL'] as const)('a Jest run killed with %s', (signal) => {
  const tag = newTag();
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'files-api-jest-killed-'));
  });

  afterAll(async () => {
    killTagged(tag);
    await untilNoneLeft(tag, 5000);
    rmSync(dir, { recursive: true, force: true });
  });

  it('leaves no worker, emulator or supervisor running', async () => {
    const running = join(dir, 'running');
    const run = spawn(process.execPath, [JEST, '-c', CONFIG], {
      env: { ...process.env, [tag.name]: tag.value, JEST_KILLED_RUNNING: running },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let output = '';
    run.stderr.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
    const exited = new Promise((resolve) => run.once('exit', resolve));
    const workers = await untilBothRun(running, exited).catch((err: Error) => {
      throw new Error(`${err.message}:\n${output}`);
    });
    expect(workers).not.toContain(run.pid);
    const started = taggedProcesses(tag)
      .map((p) => p.args)
      .join('\n');
    expect(started).toMatch(/jest-worker\/build\/processChild\.js/);
    expect(started).toMatch(/supervise\.js java .*cloud-firestore-emulator/);
    expect(started).toMatch(/gcs-emulator\/dist\/main\.js/);

    run.kill(signal);
    await exited;
    expect(await untilNoneLeft(tag, 10_000)).toEqual([]);
  });
});
