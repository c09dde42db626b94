// finally blocks do not run when a signal ends the process, so what a benchmark
// leaves behind (a temporary directory) is registered here and removed if it is
// interrupted. Processes need nothing: processes.ts kills their groups on exit.
const cleanups = new Set<() => void>();
let installed = false;

/** Runs `cleanup` (synchronously) if the process gets SIGINT, SIGTERM or SIGHUP; returns a function that cancels it. */
export function onInterrupt(cleanup: () => void): () => void {
  cleanups.add(cleanup);
  if (!installed) {
    installed = true;
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.once(signal, () => {
        for (const each of cleanups) {
          try {
            each();
          } catch {
            // Already gone.
          }
        }
        process.exit(130);
      });
    }
  }
  return () => cleanups.delete(cleanup);
}
