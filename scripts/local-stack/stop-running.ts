import { isRunning, readRunRecord, type RunRecord } from './run-record';

const POLL_MS = 100;
/** Long enough for the last Firestore save and every part's own grace period. */
const STOP_TIMEOUT_MS = 30_000;

/** Stops the stack running from this checkout, if any, as Ctrl-C would (its data saved), and waits for it
 * to be gone. Returns the record of the stack it stopped. */
export async function stopRunningStack(localDir: string, timeoutMs = STOP_TIMEOUT_MS): Promise<RunRecord | undefined> {
  const record = readRunRecord(localDir);
  if (!record || !isRunning(record)) return undefined;
  process.kill(record.pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (isRunning(record)) {
    if (Date.now() > deadline) throw new Error(`the local stack (pid ${record.pid}) did not stop within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  return record;
}
