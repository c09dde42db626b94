import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** `.local/stack.json`: the `npm start` process running from this checkout, while it runs. A clean stop removes
 * it; one left behind with its process gone means the last stop was unclean. */
export interface RunRecord {
  pid: number;
  started_at: string;
}

function path(localDir: string): string {
  return join(localDir, 'stack.json');
}

export function readRunRecord(localDir: string): RunRecord | undefined {
  try {
    const record = JSON.parse(readFileSync(path(localDir), 'utf8')) as Partial<RunRecord>;
    if (typeof record.pid === 'number' && typeof record.started_at === 'string') return { pid: record.pid, started_at: record.started_at };
  } catch {
    // None, or unreadable: nothing is known to run.
  }
  return undefined;
}

/** Whether the recorded `npm start` still runs: its pid is alive and is still a start.js (pids are reused). */
export function isRunning(record: RunRecord): boolean {
  if (!existsSync('/proc/self')) return signalable(record.pid);
  try {
    return readFileSync(`/proc/${record.pid}/cmdline`, 'utf8')
      .split('\0')
      .some((arg) => arg.endsWith('start.js'));
  } catch {
    return false;
  }
}

export function writeRunRecord(localDir: string, record: RunRecord): void {
  const temp = `${path(localDir)}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(record)}\n`);
  renameSync(temp, path(localDir));
}

export function removeRunRecord(localDir: string): void {
  rmSync(path(localDir), { force: true });
}

/** Without /proc (macOS), only whether the pid is alive. */
function signalable(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
