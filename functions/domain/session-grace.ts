/**
 * How long a record may stay `uploading` without a session URI before it is
 * abandoned: its upload-url waits at most one backend deadline for the round
 * trip and one for storing the URI, then gives up and undoes both.
 */
export function sessionGraceMs(backendTimeoutMs: number): number {
  return 2 * backendTimeoutMs + 1000;
}
