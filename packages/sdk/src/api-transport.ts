import { apiErrorFrom, FilesApiError } from './errors.js';
import { backoffDelay, isCallerAbort, isTransientStatus, sleep, startDeadline, type RetryPolicy } from './retry.js';

export interface TransportOptions {
  baseUrl: string;
  apiKey: string;
  fetch: typeof fetch;
  /** what carries the PUTs to upload sessions (the Node entry's avoids fetch's body copy) */
  sessionFetch: typeof fetch;
  retry: RetryPolicy;
  timeoutMs: number;
}

export interface ApiRequest {
  method: string;
  /** below the API's base URL, e.g. /v1/organizations/org_1/files */
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/**
 * One call of the API (JSON, or a direct upload's form). Every call is safe to
 * repeat (reads, deletes, register, and the uploads and webhook creates under their Idempotency-Key), so network failures,
 * 429 and 5xx are retried with backoff; other errors are thrown at once.
 */
export async function callApi<T>(options: TransportOptions, request: ApiRequest): Promise<T> {
  const url = new URL(options.baseUrl.replace(/\/+$/, '') + request.path);
  for (const [name, value] of Object.entries(request.query ?? {})) if (value !== undefined) url.searchParams.set(name, String(value));
  const headers: Record<string, string> = { 'X-API-Key': options.apiKey, Accept: 'application/json', ...request.headers };
  // A form (a direct upload) says its own multipart Content-Type and boundary.
  const form = typeof FormData !== 'undefined' && request.body instanceof FormData;
  if (request.body !== undefined && !form) headers['Content-Type'] = 'application/json';
  const body = request.body === undefined ? undefined : form ? (request.body as FormData) : JSON.stringify(request.body);

  for (let attempt = 0; ; attempt++) {
    let failure: unknown;
    let retryAfter: number | undefined;
    const deadline = startDeadline(request.signal, options.timeoutMs);
    try {
      const response = await options.fetch(url, { method: request.method, headers, body, signal: deadline.signal });
      if (response.ok) {
        const text = await response.text();
        return (text ? JSON.parse(text) : undefined) as T;
      }
      const error = await apiErrorFrom(response);
      if (!isTransientStatus(response.status)) throw error;
      failure = error;
      retryAfter = error.retryAfterSeconds;
    } catch (error) {
      if (error instanceof FilesApiError || isCallerAbort(error, request.signal)) throw error;
      failure = error;
    } finally {
      deadline.clear();
    }
    if (attempt >= options.retry.retries) throw failure;
    await sleep(backoffDelay(options.retry, attempt, retryAfter), request.signal);
  }
}
