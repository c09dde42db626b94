import type { FileRecord } from '../../domain/file-record';
import { newFileId } from '../../domain/file-id';
import { isoSeconds } from '../../domain/iso-time';
import { gcsPath } from '../../domain/object-name';
import type { IdempotencyClaim, Quotas } from '../../domain/ports';
import { exceededQuota, usageDelta } from '../../domain/usage';
import { ApiError } from '../../errors/api-error';
import type { UploadUrlRequest, UploadUrlResponse } from '../../generated/schema-types';
import type { UploadUrlDeps, UploadUrlInput } from './deps';
import { undoRefused } from './undo-refused';
import { uploadSession } from './upload-session';

/**
 * The critical path is one round trip: the record write (which reserves the
 * quota), the session start and the quota read run concurrently, and a failure
 * of any is compensated (session cancelled, record marked failed, which
 * releases its reservation).
 */
export async function startUpload(
  deps: UploadUrlDeps,
  input: UploadUrlInput,
  request: UploadUrlRequest,
  claimFor?: (fileId: string, createdAt: string) => IdempotencyClaim,
): Promise<UploadUrlResponse> {
  const { config, records, sessions } = deps;
  const now = (deps.now ?? Date.now)();
  const fileId = newFileId();
  const createdAt = isoSeconds(now);
  const record: FileRecord = {
    id: fileId,
    object: 'file',
    organization_id: input.organizationId,
    original_filename: request.filename,
    file_size: request.file_size,
    mime_type: request.mime_type,
    storage_path: gcsPath(input.organizationId, fileId, request.filename),
    status: 'uploading',
    crc32c: request.crc32c ?? null,
    md5_hash: request.md5_hash ?? null,
    uploaded_by: input.caller.principalId,
    uploaded_by_api_key_id: input.caller.keyId,
    created_at: createdAt,
    uploaded_at: null,
    // The session dies a week after Cloud Storage creates it, just after this.
    expires_at: isoSeconds(now + config.sessionTtlSeconds * 1000),
    session_uri: null,
  };
  const claim = claimFor?.(fileId, createdAt);

  const [quota, written, session] = await Promise.allSettled([
    deps.quotas.usage(input.organizationId),
    records.createUploading(record, claim),
    sessions.createSession({
      objectName: record.storage_path,
      contentType: record.mime_type,
      size: record.file_size,
      crc32c: request.crc32c,
      md5Hash: request.md5_hash,
      origin: input.origin,
      metadata: { file_id: fileId, organization_id: input.organizationId },
    }),
  ]);
  const over = quota.status === 'fulfilled' && written.status === 'fulfilled' ? overQuota(quota.value, written.value, record) : undefined;
  const failure = [written, session, quota].find((r): r is PromiseRejectedResult => r.status === 'rejected');
  const sessionUri = session.status === 'fulfilled' ? session.value : undefined;
  if (failure || over || sessionUri === undefined) {
    const undo = undoRefused(deps, record, written, session, over ? 'over quota' : 'session could not be created');
    // A refusal over quota is only told once its own reservation is released, so
    // the caller's next look at its usage is exact. An outage answers at once.
    if (!failure) await undo;
    throw failure ? failure.reason : over;
  }

  // Awaited: a DELETE, a replay under the key, or the sweeper must find the URI
  // as soon as the caller holds it, and on Cloud Run nothing runs reliably once
  // the answer is sent. If it cannot be stored, both halves are undone.
  try {
    await records.attachSession(input.organizationId, fileId, sessionUri);
  } catch (error) {
    void undoRefused(deps, record, { status: 'fulfilled', value: '' }, session, 'session could not be recorded');
    throw error;
  }
  return uploadSession(config, record, sessionUri);
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
