import type { ManagedProcess } from './managed-process';

/** The parts started so far, so that every way out stops all of them. */
export class StackParts {
  private readonly parts: ManagedProcess[] = [];

  add(part: ManagedProcess): void {
    this.parts.push(part);
  }

  /** The first part to stop serving, with why. */
  firstExit(): Promise<{ name: string; reason: string }> {
    return Promise.race(this.parts.map((p) => p.exited.then((reason) => ({ name: p.name, reason }))));
  }

  /** The function first, so nothing writes while the emulators save and stop; then the rest together. */
  async stop(): Promise<void> {
    const [first, ...rest] = [...this.parts].sort((a, b) => Number(b.name === 'function') - Number(a.name === 'function'));
    if (!first) return;
    await first.stop();
    await Promise.all(rest.map((p) => p.stop()));
  }

  /** SIGKILL to every process group we lead, synchronously: for `process.on('exit')`, when there is no time to stop. */
  killNow(): void {
    for (const { pid } of this.parts) {
      if (pid === undefined) continue;
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }
}
