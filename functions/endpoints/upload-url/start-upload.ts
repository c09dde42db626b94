import { DEFAULT_PURPOSE, type FileRecord } from '../../domain/file-record';
import { newFileId } from '../../domain/file-id';
import { isoSeconds } from '../../domain/iso-time';
import { gcsPath } from '../../domain/object-name';
import type { IdempotencyClaim, UsageRead } from '../../domain/ports';
import { reserveUpload } from '../../domain/reserve-upload';
import type { QuotaExceeded } from '../../domain/usage';
import { ApiError } from '../../errors/api-error';
import type { UploadUrlRequest, UploadUrlResponse } from '../../generated/schema-types';
import type { UploadUrlDeps, UploadUrlInput } from './deps';
import { cancelSession, undoLateSession, undoUnrecorded } from './undo-refused';
import { uploadSession } from './upload-session';
import { filenameKey } from '../../domain/filename-key';

/**
 * The critical path: the usage read runs concurrently with the session start;
 * once the session's URI is known, one atomic write creates the record with
 * its URI, its reservation and the claim, if the usage read leaves room for it
 * (reserve-upload.ts: exact under concurrency; a reservation that lost to a
 * concurrent one reads and writes again). The URI is on the record before the
 * answer, and the read costs no round trip of its own. Whatever was made is
 * undone on a failure or a refusal (the session cancelled; a write whose
 * outcome is unknown fenced).
 */
export async function startUpload(
  deps: UploadUrlDeps,
  input: UploadUrlInput,
  request: UploadUrlRequest,
  claimFor?: (fileId: string, createdAt: string) => IdempotencyClaim,
): Promise<UploadUrlResponse> {
  const { config, sessions } = deps;
  const now = (deps.now ?? Date.now)();
  const fileId = newFileId();
  const createdAt = isoSeconds(now);
  const storagePath = gcsPath(input.organizationId, fileId, request.filename);
  const record = (sessionUri: string): FileRecord => ({
    id: fileId,
    object: 'file',
    organization_id: input.organizationId,
    original_filename: request.filename,
    filename_key: filenameKey(request.filename),
    file_size: request.file_size,
    mime_type: request.mime_type,
    storage_path: storagePath,
    status: 'uploading',
    crc32c: request.crc32c ?? null,
    md5_hash: request.md5_hash ?? null,
    uploaded_by: input.caller.principalId,
    uploaded_by_api_key_id: input.caller.keyId,
    created_at: createdAt,
    uploaded_at: null,
    // The session dies a week after Cloud Storage creates it, just after this.
    expires_at: isoSeconds(now + config.sessionTtlSeconds * 1000),
    // On the record from its first write: a DELETE right after the answer, a
    // replay under the key and the sweeper find it, and nothing is left to do
    // once the answer is sent (Cloud Run throttles the CPU then).
    session_uri: sessionUri,
    purpose: request.purpose ?? DEFAULT_PURPOSE,
    metadata: request.metadata ?? {},
  });

  const sessionStart = sessions.createSession({
    objectName: storagePath,
    contentType: request.mime_type,
    size: request.file_size,
    crc32c: request.crc32c,
    md5Hash: request.md5_hash,
    origin: input.origin,
    metadata: { file_id: fileId, organization_id: input.organizationId },
  });
  const usageRead = deps.quotas.usage(input.organizationId);
  // Judged once the session has started: a read that fails while the session start fails too is not left unhandled.
  usageRead.catch(() => undefined);

  let sessionUri: string;
  try {
    sessionUri = await sessionStart;
  } catch (error) {
    undoLateSession(deps, error);
    throw error;
  }
  const made = record(sessionUri);
  let read: UsageRead;
  try {
    read = await usageRead;
  } catch (error) {
    await cancelSession(deps, sessionUri);
    throw error;
  }
  let exceeded: QuotaExceeded | undefined;
  try {
    exceeded = await reserveUpload(deps, made, {
      claim: claimFor?.(fileId, createdAt),
      read,
      giveUpMs: config.backendTimeoutMs,
    });
  } catch (error) {
    // A claim already taken wrote nothing; a write past its deadline may still land.
    void undoUnrecorded(deps, made, error);
    throw error;
  }
  if (exceeded) {
    // Nothing was written: only the session is given back, before the answer (the CPU is throttled after it).
    await cancelSession(deps, sessionUri);
    throw quotaExceeded(exceeded);
  }
  return uploadSession(config, made, sessionUri);
}

/** The 403 for an upload the organization's quota refuses. */
export function quotaExceeded(exceeded: QuotaExceeded): ApiError {
  const what = exceeded.quota === 'open_sessions' ? 'concurrent upload sessions' : 'stored bytes';
  return new ApiError(403, 'QUOTA_EXCEEDED', `This organization has reached its limit of ${what}`, { ...exceeded });
}
