/**
 * What a log line may carry of a backend error: an allow-list of its
 * machine-readable facts (class, code, syscall, errno, the backend's host),
 * never its message or stack. Client messages embed request URLs whose query
 * holds the object name, i.e. the caller's filename, so no deny-list of
 * secrets can make message text safe.
 */
export interface ErrorFacts {
  name?: string;
  /** Which backend failed, for this project's own outage errors. */
  backend?: string;
  code?: string | number;
  syscall?: string;
  errno?: string | number;
  host?: string;
  status?: number;
  cause?: ErrorFacts;
}

const MAX_DEPTH = 3;

export function errorFacts(error: unknown, depth = 0): ErrorFacts | undefined {
  if (error === null || typeof error !== 'object') return error === undefined ? undefined : { name: typeof error };
  const e = error as Record<string, unknown>;
  const facts: ErrorFacts = {};
  const name = error instanceof Error ? error.name : (error.constructor?.name ?? 'object');
  facts.name = token(name);
  if (typeof e.backend === 'string') facts.backend = token(e.backend);
  if (typeof e.code === 'number' || typeof e.code === 'string') facts.code = typeof e.code === 'string' ? token(e.code) : e.code;
  if (typeof e.syscall === 'string') facts.syscall = token(e.syscall);
  if (typeof e.errno === 'number' || typeof e.errno === 'string') facts.errno = typeof e.errno === 'string' ? token(e.errno) : e.errno;
  const status = typeof e.status === 'number' ? e.status : (e.response as { status?: unknown } | undefined)?.status;
  if (typeof status === 'number') facts.status = status;
  const host = hostOf(e);
  if (host) facts.host = host;
  if (depth < MAX_DEPTH && e.cause !== undefined && e.cause !== error) {
    const cause = errorFacts(e.cause, depth + 1);
    if (cause) facts.cause = cause;
  }
  return facts;
}

// Only identifier-like values: a code or class name, never free text.
function token(value: string): string | undefined {
  return /^[A-Za-z0-9_.:-]{1,64}$/.test(value) ? value : undefined;
}

/** The backend's host and port, from the request the client made (never its path or query). */
function hostOf(e: Record<string, unknown>): string | undefined {
  const config = e.config as { url?: unknown } | undefined;
  const candidates = [config?.url, e.url, typeof e.message === 'string' ? e.message.match(/\bhttps?:\/\/[^\s/?#"']+/)?.[0] : undefined];
  for (const candidate of candidates) {
    const raw = candidate instanceof URL ? candidate.href : candidate;
    if (typeof raw !== 'string') continue;
    try {
      return new URL(raw).host;
    } catch {
      continue;
    }
  }
  if (typeof e.address === 'string') return typeof e.port === 'number' ? `${e.address}:${e.port}` : e.address;
  return undefined;
}
