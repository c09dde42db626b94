import { FilesApiError, StorageError } from '@files-api/sdk';

/** The exit codes `files` documents (docs/CLIENTS.md). */
export const EXIT = {
  OK: 0,
  FAILED: 1,
  USAGE: 2,
  NOT_FOUND: 3,
  ACCESS: 4,
  REFUSED: 5,
  INTEGRITY: 6,
  UNAVAILABLE: 7,
  INTERRUPTED: 130,
} as const;

/** A mistake in how `files` was called: named, and exit 2. */
export class UsageError extends Error {}

export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError) return EXIT.USAGE;
  if ((error as Error)?.name === 'AbortError') return EXIT.INTERRUPTED;
  if ((error as NodeJS.ErrnoException)?.code === 'ENOENT') return EXIT.NOT_FOUND;
  if (error instanceof FilesApiError) {
    if (error.code === 'FILE_NOT_FOUND') return EXIT.NOT_FOUND;
    if (error.status === 401 || error.code === 'ORGANIZATION_ACCESS_DENIED') return EXIT.ACCESS;
    if (error.code === 'UPLOAD_VERIFICATION_FAILED') return EXIT.INTEGRITY;
    if (error.status === 429 || error.status >= 500) return EXIT.UNAVAILABLE;
    return EXIT.REFUSED;
  }
  if (error instanceof StorageError) {
    if (error.code === 'CHECKSUM_MISMATCH') return EXIT.INTEGRITY;
    if (error.code === 'RETRIES_EXHAUSTED') return EXIT.UNAVAILABLE;
    return EXIT.REFUSED;
  }
  return EXIT.FAILED;
}

/** One line for stderr: what failed, and the trace id to quote. */
export function describe(error: unknown): string {
  if (error instanceof FilesApiError)
    return `${error.code} (${error.status}): ${error.message}${error.traceId ? ` [trace ${error.traceId}]` : ''}`;
  if (error instanceof StorageError) return `${error.code}: ${error.message}`;
  return (error as Error)?.message ?? String(error);
}
