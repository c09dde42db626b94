import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const START = join(__dirname, '..', '..', 'dist', 'scripts', 'start.js');
const READY_LINE = 'stops everything.';

/** `node dist/scripts/start.js` (built by `npm test`) as a child of the test, with its output kept. */
export class StackProcess {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, [START], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout?.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    this.child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  get pid(): number {
    return this.child.pid as number;
  }

  /** Resolves once the banner is out; rejects if the process exits first or takes too long. */
  async ready(timeoutMs = 90_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.stdout.includes(READY_LINE)) {
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`start.js exited (${this.child.exitCode ?? this.child.signalCode}) before it was ready:\n${this.stderr}`);
      }
      if (Date.now() > deadline) throw new Error(`start.js not ready within ${timeoutMs} ms:\n${this.stdout}\n${this.stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async exitWithin(timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`start.js still running after ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** For a test that failed half-way: nothing it started may outlive it. */
  async forceStop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const left = descendants(this.pid);
    this.child.kill('SIGKILL');
    await this.exited;
    for (const { pid } of left) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    }
  }
}

export interface ProcessInfo {
  pid: number;
  ppid: number;
  args: string;
}

/** Every process below `root`, from `ps` (the children run in process groups of their own). */
export function descendants(root: number): ProcessInfo[] {
  const all = execFileSync('ps', ['-A', '-o', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3] }));
  const found: ProcessInfo[] = [];
  const frontier = [root];
  while (frontier.length > 0) {
    const parent = frontier.pop() as number;
    for (const p of all.filter((each) => each.ppid === parent)) {
      found.push(p);
      frontier.push(p.pid);
    }
  }
  return found;
}

/** Gone: no such process, or only a zombie waiting for a parent that does not reap. */
export function isGone(pid: number): boolean {
  try {
    const stat = execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).trim();
    return stat === '' || stat.startsWith('Z');
  } catch {
    return true;
  }
}
