const POLL_MS = 500;

/** Calls `onGone` once when the process that started this one is gone, however it went (SIGKILL
 * included, which no signal handler sees): its end of our stdin pipe closes, or we are re-parented.
 * The pipe says so at once; the poll covers a parent that gave us no pipe (`watchStdin: false` for a
 * process whose stdin is not such a pipe, e.g. a terminal or /dev/null). */
export function onParentGone(onGone: () => void, { watchStdin = true }: { watchStdin?: boolean } = {}): void {
  const parent = process.ppid;
  let called = false;
  const gone = () => {
    if (called) return;
    called = true;
    clearInterval(poll);
    onGone();
  };
  const poll = setInterval(() => {
    if (process.ppid !== parent) gone();
  }, POLL_MS);
  poll.unref();
  if (watchStdin) {
    process.stdin.on('end', gone);
    process.stdin.on('close', gone);
    process.stdin.on('error', gone);
    // Nothing is ever sent on it; reading is what lets us see its end.
    process.stdin.resume();
  }
}
