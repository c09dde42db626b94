import type { Domain } from 'node:domain';

/**
 * Leaves the `node:domain` functions-framework opens for each request (to
 * answer an error thrown in a stray callback with its crash response), so
 * what the request does next runs outside it. Inside a domain every async
 * step enters and leaves it through async hooks, resetting the process's
 * uncaught-exception callback each time: a fifth of the files function's CPU
 * on a 1 MiB direct upload (bench/RESULTS.md, "Stop 25: the direct upload's
 * CPU"). The API answers its errors itself (files-api.ts); an error that
 * escapes anyway meets the framework's process-wide handler, as one thrown
 * outside any request does.
 */
export function leaveRequestDomain(): void {
  const current = process as { domain?: Domain | null };
  while (current.domain) current.domain.exit();
}
