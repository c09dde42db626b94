import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { taggedProcesses, type Tagged } from './tagged-processes';

const REPO = join(__dirname, '..', '..');
const READY_LINE = 'stops everything.';

/** `npm start` as a developer runs it (the build skipped: `npm test` has just built), leader of a process
 * group of its own as a terminal's foreground job is, with its output kept. */
export class NpmStack {
  readonly npm: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(
    env: NodeJS.ProcessEnv,
    private readonly tag: { name: string; value: string },
  ) {
    this.npm = spawn('npm', ['start', '--ignore-scripts'], {
      cwd: REPO,
      env: { ...env, [tag.name]: tag.value },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.npm.stdout?.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    this.npm.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => this.npm.once('exit', (code, signal) => resolve({ code, signal })));
  }

  get npmPid(): number {
    return this.npm.pid as number;
  }

  /** node dist/scripts/start.js, which npm runs (through `exec`, so as its own child). */
  launcher(): Tagged {
    const found = taggedProcesses(this.tag).find((p) => p.args.endsWith('dist/scripts/start.js'));
    if (!found) throw new Error('no launcher among the tagged processes');
    return found;
  }

  async ready(timeoutMs = 90_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.stdout.includes(READY_LINE)) {
      if (this.npm.exitCode !== null || this.npm.signalCode !== null)
        throw new Error(`npm start exited before it was ready:\n${this.stdout}\n${this.stderr}`);
      if (Date.now() > deadline) throw new Error(`npm start not ready within ${timeoutMs} ms:\n${this.stdout}\n${this.stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
