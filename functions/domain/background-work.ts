/**
 * Work a request leaves running after its answer (undoing what a refused
 * upload made, once what it waits for settles). A failure is reported, never
 * thrown. `settled()` waits for all of it, so a graceful shutdown, or a test,
 * closes the clients only once no such work still uses them.
 */
export class BackgroundWork {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly report: (what: string, error: unknown) => void) {}

  /** Tracks `work` until it settles; the promise returned resolves then, and never rejects. */
  add(what: string, work: Promise<unknown>): Promise<void> {
    const done = work.then(
      () => undefined,
      (error) => {
        this.report(what, error);
      },
    );
    this.running.add(done);
    void done.then(() => this.running.delete(done));
    return done;
  }

  /** Resolves once nothing tracked is running, including work added meanwhile. */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running);
  }
}
