import type { ManagedProcess } from './managed-process';

/** The parts started so far, so that every way out stops all of them. */
export class StackParts {
  private parts: ManagedProcess[] = [];

  add(part: ManagedProcess): void {
    this.parts.push(part);
  }

  /** The first part to stop serving, with why. */
  firstExit(): Promise<{ name: string; reason: string }> {
    return Promise.race(this.parts.map((p) => p.exited.then((reason) => ({ name: p.name, reason }))));
  }

  /** In the reverse order of starting, but the emulators last: the functions (which start before
   * them) go first, so Firestore's data is saved with no request or event in flight. */
  async stop(): Promise<void> {
    const reversed = [...this.parts].reverse();
    for (const part of [...reversed.filter((p) => !p.holdsData), ...reversed.filter((p) => p.holdsData)]) await part.stop();
    // All stopped: the exit hook must not signal their process groups, whose ids may be reused by now.
    this.parts = [];
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
