import type { Bucket } from '@google-cloud/storage';
import { BackendUnavailable } from '../domain/backend-unavailable';
import type { SessionProgress, SessionRequest, UploadSessions } from '../domain/ports';
import { withDeadline } from './deadline';

/** Resumable upload sessions on one bucket. */
export class GcsUploadSessions implements UploadSessions {
  constructor(
    private readonly bucket: Bucket,
    private readonly timeoutMs: number,
  ) {}

  createSession(request: SessionRequest): Promise<string> {
    return withDeadline('storage', this.timeoutMs, () => this.start(request).catch(misconfigured));
  }

  private async start(request: SessionRequest): Promise<string> {
    const [uri] = await this.bucket.file(request.objectName).createResumableUpload({
      metadata: {
        contentType: request.contentType,
        // Sent as X-Upload-Content-Length: storage refuses any other total.
        contentLength: request.size,
        metadata: request.metadata,
        ...(request.crc32c ? { crc32c: request.crc32c } : {}),
        ...(request.md5Hash ? { md5Hash: request.md5Hash } : {}),
      },
      ...(request.origin ? { origin: request.origin } : {}),
      // Never overwrite; also keeps the client's retries on (without it the
      // library turns them off on the shared client for good).
      preconditionOpts: { ifGenerationMatch: 0 },
    });
    return uri;
  }

  /** DELETE on the session URI (it is its own credential): 499 cancelled, 404/410 already gone. */
  async cancelSession(sessionUri: string): Promise<void> {
    let status: number;
    try {
      const response = await fetch(sessionUri, { method: 'DELETE', signal: AbortSignal.timeout(this.timeoutMs) });
      await response.body?.cancel();
      status = response.status;
    } catch (error) {
      throw new BackendUnavailable('storage', error);
    }
    if (status === 499 || status === 404 || status === 410 || (status >= 200 && status < 300)) return;
    if (status === 429 || status >= 500) throw new BackendUnavailable('storage', new Error(`cancel answered ${status}`));
    throw new Error(`session cancel answered ${status}`);
  }

  // The resumable protocol's status query: an empty PUT with `Content-Range: bytes */*`
  // answers 308 with `Range: bytes=0-{last persisted}` (none while nothing is), or
  // 200/201 once the upload is complete. Errors name the status only, never the URI.
  async sessionProgress(sessionUri: string): Promise<SessionProgress> {
    let response: Response;
    try {
      response = await fetch(sessionUri, {
        method: 'PUT',
        headers: { 'Content-Range': 'bytes */*' },
        body: '',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      await response.body?.cancel();
    } catch (error) {
      throw new BackendUnavailable('storage', error);
    }
    if (response.status === RESUME_INCOMPLETE) return { received: persistedBytes(response.headers.get('range')) };
    if (response.status === 200 || response.status === 201) return 'complete';
    if (response.status === 404 || response.status === 410 || response.status === 499) return null;
    throw new BackendUnavailable('storage', new Error(`session status query answered ${response.status}`));
  }
}

const RESUME_INCOMPLETE = 308;

/** `bytes=0-{last}` says last + 1 bytes are persisted; no header, none. */
function persistedBytes(range: string | null): number {
  const match = range?.match(/^bytes=0-(\d+)$/);
  return match ? Number(match[1]) + 1 : 0;
}

/**
 * A session start refused with 404 or 403 means the bucket is missing or the
 * function may not write to it: the deployment's fault, not the caller's, and
 * unavailable until an operator fixes it. The log says which.
 */
function misconfigured(error: unknown): never {
  // The library's errors carry it as `code` (JSON API) or `status` (gaxios, from the session start).
  const e = error as { code?: unknown; status?: unknown };
  const status = typeof e.status === 'number' ? e.status : e.code;
  if (status === 404 || status === 403) {
    const code = status === 404 ? 'BUCKET_NOT_FOUND' : 'BUCKET_ACCESS_DENIED';
    throw new BackendUnavailable('storage', Object.assign(new Error(code), { code, cause: error }));
  }
  throw error;
}
