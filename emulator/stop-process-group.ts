import type { ChildProcess } from 'node:child_process';

/** SIGTERM to the child's whole process group, SIGKILL after `graceMs`; resolves when it has exited. */
export function stopProcessGroup(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return Promise.resolve();
  const pid = child.pid;
  return new Promise((resolve) => {
    const killer = setTimeout(() => signal(pid, 'SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(killer);
      // Children of the group (e.g. a JVM's helpers) go with it.
      signal(pid, 'SIGKILL');
      resolve();
    });
    signal(pid, 'SIGTERM');
  });
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    // Already gone.
  }
}
