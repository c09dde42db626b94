import { DEFAULT_PURPOSE, type FileRecord } from '../../domain/file-record';
import { newFileId } from '../../domain/file-id';
import { isoSeconds } from '../../domain/iso-time';
import { gcsPath } from '../../domain/object-name';
import type { IdempotencyClaim, Quotas } from '../../domain/ports';
import { exceededQuota, usageDelta } from '../../domain/usage';
import { ApiError } from '../../errors/api-error';
import type { UploadUrlRequest, UploadUrlResponse } from '../../generated/schema-types';
import type { UploadUrlDeps, UploadUrlInput } from './deps';
import { undoLateSession, undoRecorded, undoUnrecorded } from './undo-refused';
import { uploadSession } from './upload-session';

/**
 * The critical path: the quota read runs concurrently with the session start
 * and, once the session's URI is known, the one atomic write that creates the
 * record with its URI, its usage (the reservation) and the claim. The URI is on
 * the record before the answer, and the read costs no round trip of its own.
 * Whatever was made is undone on a failure or a refusal (session cancelled;
 * record marked failed, which releases its reservation). Chained rather than
 * awaited: each promise a request makes also runs functions-framework's
 * per-request domain hooks.
 */
export function startUpload(
  deps: UploadUrlDeps,
  input: UploadUrlInput,
  request: UploadUrlRequest,
  claimFor?: (fileId: string, createdAt: string) => IdempotencyClaim,
): Promise<UploadUrlResponse> {
  const { config, records, sessions } = deps;
  const now = (deps.now ?? Date.now)();
  const fileId = newFileId();
  const createdAt = isoSeconds(now);
  const storagePath = gcsPath(input.organizationId, fileId, request.filename);
  const record = (sessionUri: string): FileRecord => ({
    id: fileId,
    object: 'file',
    organization_id: input.organizationId,
    original_filename: request.filename,
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
  const quotaRead = deps.quotas.usage(input.organizationId);
  // Known once the session has started; the write waits for it, and fails with the session's error when there is none.
  let sessionUri: string | undefined;
  const written = sessionStart.then((uri) => {
    sessionUri = uri;
    return records.createUploading(record(uri), claimFor?.(fileId, createdAt));
  });

  return Promise.allSettled([quotaRead, written]).then(([quota, write]) => {
    // No session: nothing was written.
    if (sessionUri === undefined) {
      const reason: unknown = write.status === 'rejected' ? write.reason : undefined;
      undoLateSession(deps, reason);
      throw reason;
    }
    const made = record(sessionUri);
    if (write.status === 'rejected') {
      // A claim already taken wrote nothing; a write past its deadline may still land.
      void undoUnrecorded(deps, made, write.reason);
      throw write.reason;
    }
    if (quota.status === 'rejected') {
      void undoRecorded(deps, made, 'usage could not be read');
      throw quota.reason;
    }
    const over = overQuota(quota.value, write.value, made);
    // Told only once its own reservation is released, so the caller's next look at its usage is exact.
    if (over) return undoRecorded(deps, made, 'over quota').then(() => Promise.reject(over));
    return uploadSession(config, made, sessionUri);
  });
}

/**
 * The quota this upload breaks, judged on usage without its own reservation:
 * the read ran concurrently with the write, and saw it exactly when it was
 * stamped at or after the commit.
 */
function overQuota(read: Awaited<ReturnType<Quotas['usage']>>, writtenAt: string, record: FileRecord): ApiError | undefined {
  const own = usageDelta(null, 'uploading', record.file_size);
  const seenOwn = read.readAt >= writtenAt;
  const before = {
    openSessions: read.usage.openSessions - (seenOwn ? own.openSessions : 0),
    storedBytes: read.usage.storedBytes - (seenOwn ? own.storedBytes : 0),
  };
  const exceeded = exceededQuota(before, read.limits, record.file_size);
  if (!exceeded) return undefined;
  const what = exceeded.quota === 'open_sessions' ? 'concurrent upload sessions' : 'stored bytes';
  return new ApiError(403, 'QUOTA_EXCEEDED', `This organization has reached its limit of ${what}`, exceeded);
}
