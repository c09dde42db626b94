import type { Config } from '../config';
import type { FileRecord } from '../domain/file-record';
import { newFileId } from '../domain/file-id';
import { isoSeconds } from '../domain/iso-time';
import { claimId, isValidIdempotencyKey, requestFingerprint } from '../domain/idempotency';
import { normalizeMimeType } from '../domain/mime-type';
import { gcsPath } from '../domain/object-name';
import { IdempotencyKeyTaken, type FileRecords, type IdempotencyClaim, type Quotas, type UploadSessions } from '../domain/ports';
import { exceededQuota, usageDelta } from '../domain/usage';
import type { UploadUrlRequest, UploadUrlResponse } from '../generated/schema-types';
import { validateUploadUrlRequest } from '../generated/validators';
import { ApiError, invalidJson } from '../http/api-error';
import type { Caller } from '../http/authenticate';
import { fileTooLarge, validationError } from '../http/validation-error';

export interface UploadUrlDeps {
  config: Config;
  records: FileRecords;
  sessions: UploadSessions;
  quotas: Quotas;
  now?: () => number;
  /** Where failures of background work (compensation, session attach) are reported. */
  onBackgroundError?: (what: string, error: unknown) => void;
}

export interface UploadUrlInput {
  organizationId: string;
  caller: Caller;
  body: unknown;
  origin?: string;
  idempotencyKey?: string;
}

/** How long a replay waits for a concurrent first request to finish its session. */
const REPLAY_WAIT_MS = 2000;
const REPLAY_POLL_MS = 50;

/**
 * POST …/files/upload-url. The critical path is one round trip: the record
 * write (which reserves the quota), the session start and the quota read run
 * concurrently, and a failure of any is compensated (session cancelled,
 * record marked failed, which releases its reservation).
 */
export async function createUploadUrl(deps: UploadUrlDeps, input: UploadUrlInput): Promise<UploadUrlResponse> {
  const request = validRequest(input.body, deps.config.maxFileSize);
  const idempotencyKey = input.idempotencyKey;
  if (idempotencyKey !== undefined && !isValidIdempotencyKey(idempotencyKey)) {
    throw new ApiError(400, 'INVALID_FIELD_VALUE', 'Idempotency-Key must be 1-255 printable ASCII characters', {
      field: 'Idempotency-Key',
    });
  }
  if (idempotencyKey === undefined) return startUpload(deps, input, request);
  return idempotently(deps, input, request, idempotencyKey);
}

function validRequest(body: unknown, maxFileSize: number): UploadUrlRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw invalidJson();
  const candidate: Record<string, unknown> = { ...body };
  if (typeof candidate.filename === 'string') candidate.filename = candidate.filename.normalize('NFC');
  if (!validateUploadUrlRequest(candidate)) throw validationError(validateUploadUrlRequest.errors, candidate, maxFileSize);
  if (candidate.file_size > maxFileSize) throw fileTooLarge(candidate.file_size, maxFileSize);
  return { ...candidate, mime_type: normalizeMimeType(candidate.mime_type) };
}

async function startUpload(
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
    const undo = [
      ...(sessionUri ? [background(deps, 'cancel orphaned session', sessions.cancelSession(sessionUri))] : []),
      ...(written.status === 'fulfilled' ? [background(deps, 'mark record failed', fail(records, record, over ? 'over quota' : 'session could not be created'))] : []),
    ];
    // A refusal over quota is only told once its own reservation is released, so
    // the caller's next look at its usage is exact. An outage answers at once.
    if (!failure) await Promise.all(undo);
    throw failure ? failure.reason : over;
  }

  const attached = records.attachSession(input.organizationId, fileId, sessionUri);
  // Off the critical path: without an Idempotency-Key the URI only serves a later cancel.
  if (!claim) {
    background(deps, 'attach session to record', attached);
    return uploadSession(config, record, sessionUri);
  }
  // A replay under the key must find the URI: wait for it, and if it cannot be
  // stored, undo both halves so the replay releases the claim and starts afresh.
  try {
    await attached;
  } catch (error) {
    background(deps, 'cancel unrecorded session', sessions.cancelSession(sessionUri));
    background(deps, 'mark record failed', fail(records, record, 'session could not be recorded'));
    throw error;
  }
  return uploadSession(config, record, sessionUri);
}

async function idempotently(
  deps: UploadUrlDeps,
  input: UploadUrlInput,
  request: UploadUrlRequest,
  key: string,
): Promise<UploadUrlResponse> {
  const keyHash = claimId(input.organizationId, input.caller.principalId, key);
  const fingerprint = requestFingerprint(request);
  const ttlSeconds = deps.config.idempotencyTtlSeconds;
  const claimFor = (fileId: string, createdAt: string): IdempotencyClaim => ({
    keyHash,
    fingerprint,
    fileId,
    createdAt,
    expiresAt: isoSeconds(Date.parse(createdAt) + ttlSeconds * 1000),
  });
  for (let attempt = 0; ; attempt++) {
    try {
      return await startUpload(deps, input, request, claimFor);
    } catch (error) {
      if (!(error instanceof IdempotencyKeyTaken)) throw error;
    }
    const replay = await replayClaim(deps, input.organizationId, keyHash, fingerprint);
    if (replay !== 'retry') return replay;
    if (attempt >= 2) throw inProgress();
  }
}

/** The earlier answer for this claim, or 'retry' when the claim was released (expired, or its attempt failed). */
async function replayClaim(
  deps: UploadUrlDeps,
  organizationId: string,
  keyHash: string,
  fingerprint: string,
): Promise<UploadUrlResponse | 'retry'> {
  const now = deps.now ?? Date.now;
  const deadline = now() + REPLAY_WAIT_MS;
  for (;;) {
    const claim = await deps.records.findClaim(organizationId, keyHash);
    if (!claim) return 'retry';
    if (Date.parse(claim.expiresAt) <= now()) {
      await deps.records.releaseClaim(organizationId, claim);
      return 'retry';
    }
    if (claim.fingerprint !== fingerprint) {
      throw new ApiError(409, 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used with a different request body');
    }
    const record = await deps.records.find(organizationId, claim.fileId);
    // Failed, or stuck without its URI past any deadline (its instance died between the writes).
    const abandoned = record?.status === 'uploading' && !record.session_uri && now() - Date.parse(record.created_at) > 2 * deps.config.backendTimeoutMs + 1000;
    if (record?.status === 'failed' || abandoned) {
      await deps.records.releaseClaim(organizationId, claim);
      return 'retry';
    }
    if (record?.session_uri) return uploadSession(deps.config, record, record.session_uri);
    if (now() > deadline) throw inProgress();
    await new Promise((r) => setTimeout(r, REPLAY_POLL_MS));
  }
}

const inProgress = () =>
  new ApiError(409, 'IDEMPOTENCY_KEY_REUSED', 'A request with this Idempotency-Key is still in progress; retry shortly', { in_progress: true }, {
    'Retry-After': '1',
  });

function uploadSession(config: Config, record: FileRecord, sessionUri: string): UploadUrlResponse {
  return {
    upload_url: sessionUri,
    gcs_path: record.storage_path,
    file_id: record.id,
    expires_at: record.expires_at,
    max_file_size: config.maxFileSize,
    upload_type: 'resumable',
    chunk_size_recommended: config.chunkSizeRecommended,
  };
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

function fail(records: FileRecords, record: FileRecord, reason: string): Promise<unknown> {
  return records.transition(record.organization_id, record.id, 'uploading', { status: 'failed', failure_reason: reason });
}

/** Work whose failure is reported, never thrown; the promise settles when it is done. */
function background(deps: UploadUrlDeps, what: string, work: Promise<unknown>): Promise<void> {
  return work.then(
    () => undefined,
    (error) => deps.onBackgroundError?.(what, error),
  );
}
