import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileStatus, requestUpload, type Dev } from './demo-api';
import { NpmStack } from './npm-stack';
import { stackEnv } from './stack-env';
import { killTagged, newTag, taggedProcesses, untilNoneLeft } from './tagged-processes';

/**
 * Every way a developer's stack stops without Ctrl-C, one after another on the same checkout: each
 * leaves no process behind (Java, the storage emulator, the functions, the supervisors), and each next
 * start still has every record acknowledged before. Processes are found by a tag in their environment,
 * which all of them inherit, so one that escaped its parent is found too.
 */
jest.setTimeout(240_000);

const tag = newTag();
let localDir: string;
let env: NodeJS.ProcessEnv;
/** file ids created so far, each acknowledged by the files function */
const records: string[] = [];
let current: NpmStack | undefined;

beforeAll(async () => {
  localDir = mkdtempSync(join(tmpdir(), 'files-api-stops-'));
  env = await stackEnv(localDir, 'test-unclean', { SWEEP_INTERVAL_SECONDS: '0' });
});

afterEach(async () => {
  killTagged(tag);
  await untilNoneLeft(tag, 5000);
});

afterAll(() => {
  rmSync(localDir, { recursive: true, force: true });
});

function dev(): Dev {
  return JSON.parse(readFileSync(join(localDir, 'dev.json'), 'utf8')) as Dev;
}

function savedAt(): number {
  try {
    return Date.parse(
      (JSON.parse(readFileSync(join(localDir, 'firestore', 'snapshot', 'saved.json'), 'utf8')) as { saved_at: string }).saved_at,
    );
  } catch {
    return 0;
  }
}

/** Starts the stack, checks that every earlier record is there, and adds one. */
async function startWithRecords(): Promise<NpmStack> {
  current = new NpmStack(env, tag);
  await current.ready();
  const d = dev();
  for (const id of records) expect([id, await fileStatus(d, id)]).toEqual([id, 'uploading']);
  const { file_id } = await requestUpload(d, `record-${records.length}.bin`, 10, 'application/octet-stream');
  records.push(file_id);
  return current;
}

async function expectNothingLeft(stack: NpmStack): Promise<void> {
  expect(await untilNoneLeft(tag)).toEqual([]);
  // npm itself is gone too, one way or another.
  await stack.exited;
}

describe('unclean stops of npm start', () => {
  it('SIGKILL of the launcher: every part stops on its own, and the background snapshot has the records', async () => {
    const stack = await startWithRecords();
    const acknowledgedAt = Date.now();
    const parts = taggedProcesses(tag)
      .map((p) => p.args)
      .join('\n');
    expect(parts).toMatch(/supervise\.js java .*cloud-firestore-emulator/);
    expect(parts).toMatch(/supervise\.js .*gcs-emulator\/dist\/main\.js/);
    expect(parts).toMatch(/serve-function\.js \S+ files 127\.0\.0\.1 /);
    // Within the documented window a background snapshot follows the change.
    for (let i = 0; i < 100 && savedAt() <= acknowledgedAt; i++) await new Promise((r) => setTimeout(r, 100));
    expect(savedAt()).toBeGreaterThan(acknowledgedAt);

    process.kill(stack.launcher().pid, 'SIGKILL');
    await expectNothingLeft(stack);
  });

  it('the next start says the last stop was unclean and what it recovered; SIGHUP to the group (the terminal closed) stops it all', async () => {
    const stack = await startWithRecords();
    expect(stack.stdout).toMatch(
      /The last stop was unclean: the stack started at \S+ \(pid \d+\) did not get to stop cleanly\.\nFirestore data recovered from the last snapshot \(saved at \S+, (\d+ min )?\d+ s ago\)/,
    );
    process.kill(-stack.npmPid, 'SIGHUP');
    await expectNothingLeft(stack);
    expect(stack.stdout).toContain('SIGHUP: stopping the local stack');
  });

  it('SIGTERM to npm stops it all, saving', async () => {
    const stack = await startWithRecords();
    // The stop after SIGHUP was clean: nothing to recover.
    expect(stack.stdout).not.toContain('The last stop was unclean');
    process.kill(stack.npmPid, 'SIGTERM');
    await expectNothingLeft(stack);
  });

  it('SIGKILL of npm: the launcher sees it is gone and stops it all, saving', async () => {
    const stack = await startWithRecords();
    expect(stack.stdout).not.toContain('The last stop was unclean');
    process.kill(stack.npmPid, 'SIGKILL');
    await expectNothingLeft(stack);
    expect(stack.stdout).toContain('the process that started the stack is gone: stopping the local stack');
  });

  it('and the start after all of them has every record; Ctrl-C (SIGINT to the group, which npm passes on again) saves before it stops', async () => {
    const stack = await startWithRecords();
    expect(stack.stdout).not.toContain('The last stop was unclean');
    expect(records).toHaveLength(5);
    process.kill(-stack.npmPid, 'SIGINT');
    await expectNothingLeft(stack);
    expect(stack.stderr).not.toContain('without the last save');
    expect(JSON.parse(readFileSync(join(localDir, 'firestore', 'snapshot', 'saved.json'), 'utf8'))).toMatchObject({ reason: 'stop' });
  });
});
