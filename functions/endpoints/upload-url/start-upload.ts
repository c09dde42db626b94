import type { FileRecord } from '../../domain/file-record';
import { newFileId } from '../../domain/file-id';
import { isoSeconds } from '../../domain/iso-time';
import { gcsPath } from '../../domain/object-name';
import type { IdempotencyClaim, Quotas } from '../../domain/ports';
import { exceededQuota } from '../../domain/usage';
import { ApiError } from '../../errors/api-error';
import type { UploadUrlRequest, UploadUrlResponse } from '../../generated/schema-types';
import type { UploadUrlDeps, UploadUrlInput } from './deps';
import { undoSession, undoUnrecorded } from './undo-refused';
import { uploadSession } from './upload-session';

/**
 * The critical path is two round trips, the least that leaves the session URI
 * durable before the answer: the session start and the quota read run
 * concurrently, then one atomic write creates the record with its URI, its
 * usage (the reservation) and the claim. A failure of either step is
 * compensated (session cancelled; a record that lands after its deadline
 * marked failed, which releases its reservation).
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
  const storagePath = gcsPath(input.organizationId, fileId, request.filename);

  const [quota, session] = await Promise.allSettled([
    deps.quotas.usage(input.organizationId),
    sessions.createSession({
      objectName: storagePath,
      contentType: request.mime_type,
      size: request.file_size,
      crc32c: request.crc32c,
      md5Hash: request.md5_hash,
      origin: input.origin,
      metadata: { file_id: fileId, organization_id: input.organizationId },
    }),
  ]);
  const over = quota.status === 'fulfilled' ? overQuota(quota.value, request.file_size) : undefined;
  const failure = [session, quota].find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure || over || session.status !== 'fulfilled') {
    // Nothing was written: only the session is undone. A refusal over quota is
    // told once its session is cancelled; an outage answers at once.
    const undo = undoSession(deps, session);
    if (!failure) await undo;
    throw failure ? failure.reason : over;
  }

  const record: FileRecord = {
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
    session_uri: session.value,
  };
  try {
    await records.createUploading(record, claimFor?.(fileId, createdAt));
  } catch (error) {
    // A claim already taken wrote nothing; a write past its deadline may still land.
    void undoUnrecorded(deps, record, error);
    throw error;
  }
  return uploadSession(config, record, session.value);
}

/** The quota one more upload of `fileSize` bytes breaks, judged on usage read before its own reservation is written. */
function overQuota(read: Awaited<ReturnType<Quotas['usage']>>, fileSize: number): ApiError | undefined {
  const exceeded = exceededQuota(read.usage, read.limits, fileSize);
  if (!exceeded) return undefined;
  const what = exceeded.quota === 'open_sessions' ? 'concurrent upload sessions' : 'stored bytes';
  return new ApiError(403, 'QUOTA_EXCEEDED', `This organization has reached its limit of ${what}`, exceeded);
}
