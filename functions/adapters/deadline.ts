import { BackendUnavailable } from '../domain/backend-unavailable';
import { BackgroundWork } from '../domain/background-work';

/**
 * Bounds a backend call: past `ms`, or on a transport-level failure, the caller
 * gets BackendUnavailable (503) instead of a hang. The call itself is not
 * aborted: past the deadline the error carries it as `late`, so that whatever
 * it still does can be undone, and it is kept among the late calls a shutdown
 * waits for (lateCallsSettled). A call of several steps is told through
 * `answered`, aborted at the deadline (when its caller gets the 503), to
 * start no further step: no one waits for it any more, and each step would
 * only load a backend that is already slow.
 */
export function withDeadline<T>(
  backend: 'firestore' | 'storage' | 'pubsub',
  ms: number,
  call: (answered: AbortSignal) => Promise<T>,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const answered = new AbortController();
    // A call that throws before returning its promise is classified like one that rejects.
    const running = Promise.resolve().then(() => call(answered.signal));
    const timer = setTimeout(() => {
      answered.abort();
      void lateCalls.add('late call', running);
      reject(new BackendUnavailable(backend, Object.assign(new Error(`no answer within ${ms} ms`), { code: 'DEADLINE' }), running));
    }, ms);
    running.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(isUnavailable(error) ? new BackendUnavailable(backend, error) : error);
      },
    );
  });
}

/** Calls left running past their deadline, each until it settles; how each ends is no one's to report. */
const lateCalls = new BackgroundWork(() => undefined);

/**
 * Resolves once every call left running past its deadline has settled, or
 * after `limitMs`. A shutdown waits for them before it closes the clients: a
 * Firestore call that retries after its client was terminated rejects where
 * nothing can catch it ("The client has already been terminated"). The limit
 * is for a backend that never answers.
 */
export async function lateCallsSettled(limitMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, limitMs)));
  await Promise.race([lateCalls.settled(), limit]);
  clearTimeout(timer);
}

// gRPC CANCELLED / UNKNOWN / DEADLINE_EXCEEDED / RESOURCE_EXHAUSTED / UNAVAILABLE, HTTP 429/5xx, and socket errors.
// CANCELLED is what grpc-js answers when the client gives up a streamed read
// at its per-attempt deadline, or its channel drops while the backend is down.
// UNKNOWN is what the Firestore emulator answered a commit under load: the backend's failure, not a
// fault of the request, so 503 with Retry-After rather than 500.
const GRPC_UNAVAILABLE = new Set([1, 2, 4, 8, 14]);
const SOCKET_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);

function isUnavailable(error: unknown): boolean {
  const e = error as { code?: unknown; status?: unknown; response?: { status?: number } };
  if (typeof e?.code === 'number') return GRPC_UNAVAILABLE.has(e.code) || e.code === 429 || e.code >= 500;
  if (typeof e?.code === 'string' && SOCKET_ERRORS.has(e.code)) return true;
  const status = typeof e?.status === 'number' ? e.status : e?.response?.status;
  return typeof status === 'number' && (status === 429 || status >= 500);
}
