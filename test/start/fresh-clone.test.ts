import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const REPO = join(__dirname, '..', '..');
const NOT_COPIED = new Set(['node_modules', 'dist', 'functions/generated', '.local', '.git', 'coverage']);

/** `npm run stop` and `npm run reset` in a checkout never built: a copy of the sources without
 * dist/ (node_modules linked, as `npm ci` would leave it). */
describe('a fresh clone, never built', () => {
  const clone = mkdtempSync(join(tmpdir(), 'files-api-clone-'));
  const localDir = join(clone, '.local');
  const env = { ...process.env, LOCAL_DIR: localDir };

  beforeAll(() => {
    cpSync(REPO, clone, { recursive: true, filter: (source) => !NOT_COPIED.has(relative(REPO, source)) });
    symlinkSync(join(REPO, 'node_modules'), join(clone, 'node_modules'), 'dir');
  });
  afterAll(() => rmSync(clone, { recursive: true, force: true }));

  it('npm run stop builds, then says nothing runs; npm run reset then removes what a stack left', async () => {
    expect(existsSync(join(clone, 'dist'))).toBe(false);
    const stop = await run('npm', ['run', '--silent', 'stop'], { cwd: clone, env });
    expect(stop.stdout).toBe('no local stack is running from this checkout\n');
    expect(existsSync(join(clone, 'dist', 'scripts', 'stop.js'))).toBe(true);

    // One build is enough to know: reset goes through the same launcher.
    mkdirSync(join(localDir, 'firestore'), { recursive: true });
    const reset = await run('npm', ['run', '--silent', 'reset'], { cwd: clone, env });
    expect(reset.stdout).toBe(`removed the local stack's data in ${localDir}\n`);
    expect(existsSync(localDir)).toBe(false);
  }, 240_000);
});
