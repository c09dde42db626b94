/** How hard to retry transient failures: exponential backoff with full jitter. */
export interface RetryOptions {
  /** attempts after the first failure before giving up (default 8) */
  retries?: number;
  /** first backoff ceiling in ms (default 500) */
  baseDelayMs?: number;
  /** largest backoff ceiling in ms (default 30000) */
  maxDelayMs?: number;
}

export interface RetryPolicy {
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export function retryPolicy(options: RetryOptions = {}): RetryPolicy {
  return { retries: options.retries ?? 8, baseDelayMs: options.baseDelayMs ?? 500, maxDelayMs: options.maxDelayMs ?? 30_000 };
}

/**
 * Full jitter (a uniform draw below the exponential ceiling) keeps many
 * clients that failed together from retrying together. A server's
 * `Retry-After` is a floor.
 */
export function backoffDelay(policy: RetryPolicy, attempt: number, retryAfterSeconds?: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  const jittered = Math.random() * ceiling;
  return Math.max(jittered, (retryAfterSeconds ?? 0) * 1000);
}

/** Statuses worth another try: rate limited, or the server or a proxy failed. */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** Resolves after `ms`, or rejects with the signal's reason once it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface Deadline {
  signal: AbortSignal;
  /** push the deadline back (a download that is still receiving) */
  extend(): void;
  clear(): void;
}

/**
 * The caller's signal, plus a deadline, so a frozen peer cannot hang a
 * request. Built from a plain controller and timer: on Node 20 a signal from
 * AbortSignal.any() over AbortSignal.timeout() can be collected before it
 * fires, and the request then hangs for good.
 */
export function startDeadline(signal: AbortSignal | undefined, timeoutMs: number): Deadline {
  const controller = new AbortController();
  const expire = () => controller.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError'));
  let timer = setTimeout(expire, timeoutMs);
  const onAbort = () => controller.abort(signal?.reason);
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    extend: () => {
      clearTimeout(timer);
      timer = setTimeout(expire, timeoutMs);
    },
    clear: () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    },
  };
}

/** True when `error` is the caller's own abort (not a deadline or a network failure). */
export function isCallerAbort(error: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true && (error === signal.reason || (error as Error)?.name === 'AbortError');
}
