import { parseRetryAfter, StorageError } from './errors.js';
import { isTransientStatus, startDeadline } from './retry.js';

/** What a session said after a chunk or a status query. */
export type SessionAnswer = { done: true } | { done: false; persisted: number };

/** A failure worth retrying: a dropped connection, a deadline, 429, 5xx. */
export class TransientFailure extends Error {
  constructor(
    message: string,
    readonly retryAfterSeconds?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface SessionTransport {
  fetch: typeof fetch;
  timeoutMs: number;
}

/**
 * One PUT on a Cloud Storage resumable session: a chunk at `start`, or with
 * no bytes the status query (`Content-Range: bytes * /total`). The session URI
 * is a capability: it never goes into an error message.
 */
export async function putOnSession(
  transport: SessionTransport,
  uri: string,
  total: number,
  start: number,
  bytes: Uint8Array | undefined,
  signal: AbortSignal | undefined,
): Promise<SessionAnswer> {
  const range = bytes && bytes.length > 0 ? `bytes ${start}-${start + bytes.length - 1}/${total}` : `bytes */${total}`;
  let response: Response;
  let text: string;
  const deadline = startDeadline(signal, transport.timeoutMs);
  try {
    response = await transport.fetch(uri, {
      method: 'PUT',
      headers: { 'Content-Range': range },
      // Bytes read from a file or a Blob are never on a SharedArrayBuffer.
      body: (bytes && bytes.length > 0 ? bytes : new Uint8Array(0)) as Uint8Array<ArrayBuffer>,
      signal: deadline.signal,
    });
    text = await response.text();
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw new TransientFailure(`the upload session could not be reached (${(error as Error).message})`, undefined, { cause: error });
  } finally {
    deadline.clear();
  }
  if (response.status === 200 || response.status === 201) return { done: true };
  if (response.status === 308) return { done: false, persisted: persistedFrom(response.headers.get('range')) };
  if (isTransientStatus(response.status)) {
    throw new TransientFailure(`storage answered ${response.status}`, parseRetryAfter(response.headers.get('retry-after')));
  }
  if (response.status === 404 || response.status === 410) {
    throw new StorageError(
      'SESSION_GONE',
      'the upload session is gone (cancelled, expired or unknown): start a new upload',
      response.status,
    );
  }
  const reason = storageMessage(text);
  const completing = bytes !== undefined && start + bytes.length === total;
  if (response.status === 400 && completing && /crc32c|md5|checksum|hash/i.test(reason)) {
    throw new StorageError('CHECKSUM_MISMATCH', `storage refused the upload: ${reason}`, 400);
  }
  throw new StorageError('REJECTED', `storage refused the upload (${response.status}): ${reason}`, response.status);
}

/** `Range: bytes=0-N` means N+1 bytes are persisted; no header means none. */
function persistedFrom(range: string | null): number {
  const match = range ? /^bytes=0-(\d+)$/.exec(range.trim()) : null;
  return match ? Number(match[1]) + 1 : 0;
}

function storageMessage(text: string): string {
  try {
    const message = (JSON.parse(text) as { error?: { message?: unknown } }).error?.message;
    if (typeof message === 'string') return message.slice(0, 300);
  } catch {
    // a plain-text answer
  }
  return text.slice(0, 300) || 'no reason given';
}
