import { claimId, requestFingerprint } from '../../domain/idempotency';
import { isoSeconds } from '../../domain/iso-time';
import { sessionGraceMs } from '../../domain/session-grace';
import { IdempotencyKeyTaken, type IdempotencyClaim } from '../../domain/ports';
import { ApiError } from '../../errors/api-error';
import type { UploadUrlRequest, UploadUrlResponse } from '../../generated/schema-types';
import type { UploadUrlDeps, UploadUrlInput } from './deps';
import { startUpload } from './start-upload';
import { uploadSession } from './upload-session';

/** How long a replay waits for a concurrent first request to finish its session. */
const REPLAY_WAIT_MS = 2000;
const REPLAY_POLL_MS = 50;

/** Start the upload under a claim on the key; if the key is taken, answer what its first request answered. */
export async function idempotently(
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
    const abandoned =
      record?.status === 'uploading' &&
      !record.session_uri &&
      now() - Date.parse(record.created_at) > sessionGraceMs(deps.config.backendTimeoutMs);
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
  new ApiError(
    409,
    'IDEMPOTENCY_KEY_REUSED',
    'A request with this Idempotency-Key is still in progress; retry shortly',
    { in_progress: true },
    {
      'Retry-After': '1',
    },
  );
