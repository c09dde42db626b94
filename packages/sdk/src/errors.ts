import type { ErrorEnvelope } from './generated/contract.js';

export type ErrorCode = ErrorEnvelope['error']['code'];

/** Every error answer of the Files API, as its envelope describes it. */
export class FilesApiError extends Error {
  override readonly name = 'FilesApiError';
  /** The envelope's `code`, e.g. `FILE_NOT_FOUND`; `UNEXPECTED_RESPONSE` when the answer was not an envelope. */
  readonly code: ErrorCode | 'UNEXPECTED_RESPONSE';
  readonly status: number;
  readonly details: Record<string, unknown>;
  /** The request's trace id (also the `X-Request-Id` header): quote it when reporting a problem. */
  readonly traceId: string | undefined;
  /** Seconds the API asked the caller to wait (`Retry-After`), when it did. */
  readonly retryAfterSeconds: number | undefined;

  constructor(init: {
    code: FilesApiError['code'];
    message: string;
    status: number;
    details?: Record<string, unknown>;
    traceId?: string;
    retryAfterSeconds?: number;
  }) {
    super(init.message);
    this.code = init.code;
    this.status = init.status;
    this.details = init.details ?? {};
    this.traceId = init.traceId;
    this.retryAfterSeconds = init.retryAfterSeconds;
  }
}

export type StorageErrorCode =
  /** the upload session is unknown, cancelled or expired (404/410): start a new upload */
  | 'SESSION_GONE'
  /** the bytes contradict the CRC32C pinned at upload-url (storage refused them), or a download's bytes contradict the file's */
  | 'CHECKSUM_MISMATCH'
  /** storage refused the request for good (400, 412, other 4xx) */
  | 'REJECTED'
  /** a download URL was refused (403) even when fresh, or its object is gone (404) */
  | 'DOWNLOAD_REFUSED'
  /** transient failures went on past the retry budget */
  | 'RETRIES_EXHAUSTED';

/** A failure talking to Cloud Storage (an upload session or a download URL), not an API answer. */
export class StorageError extends Error {
  override readonly name = 'StorageError';
  readonly code: StorageErrorCode;
  /** the HTTP status storage answered, when there was an answer */
  readonly status: number | undefined;

  constructor(code: StorageErrorCode, message: string, status?: number, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.status = status;
  }
}

/** Reads an error answer of the API into a FilesApiError, envelope or not. */
export async function apiErrorFrom(response: Response): Promise<FilesApiError> {
  const text = await response.text().catch(() => '');
  const retryAfterSeconds = parseRetryAfter(response.headers.get('retry-after'));
  try {
    const body = JSON.parse(text) as Partial<ErrorEnvelope>;
    const error = body.error;
    if (error && typeof error.code === 'string' && typeof error.message === 'string') {
      return new FilesApiError({
        code: error.code,
        message: error.message,
        status: response.status,
        details: (error.details ?? {}) as Record<string, unknown>,
        traceId: error.trace_id ?? response.headers.get('x-request-id') ?? undefined,
        retryAfterSeconds,
      });
    }
  } catch {
    // not JSON: described below
  }
  return new FilesApiError({
    code: 'UNEXPECTED_RESPONSE',
    message: `the API answered ${response.status} without an error envelope`,
    status: response.status,
    traceId: response.headers.get('x-request-id') ?? undefined,
    retryAfterSeconds,
  });
}

export function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - Date.now()) / 1000);
}
