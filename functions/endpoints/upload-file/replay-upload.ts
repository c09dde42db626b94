import { toFileObject } from '../../domain/file-record';
import type { FileRecords, IdempotencyClaim } from '../../domain/ports';
import { ApiError } from '../../errors/api-error';
import type { FileObject } from '../../generated/schema-types';

/**
 * The file a direct upload under this key already made, when `claim` (this
 * request's) describes the same upload; 'retry' when the key's claim has
 * expired (it is released) or is gone.
 */
export async function replayUpload(records: FileRecords, organizationId: string, claim: IdempotencyClaim): Promise<FileObject | 'retry'> {
  const first = await records.findClaim(organizationId, claim.keyHash);
  if (!first) return 'retry';
  if (Date.parse(first.expiresAt) <= Date.parse(claim.createdAt)) {
    await records.releaseClaim(organizationId, first);
    return 'retry';
  }
  if (first.fingerprint !== claim.fingerprint) {
    throw new ApiError(409, 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used with a different request body');
  }
  const record = await records.find(organizationId, first.fileId);
  if (!record) return 'retry';
  return toFileObject(record);
}

export const keyInUse = () =>
  new ApiError(
    409,
    'IDEMPOTENCY_KEY_REUSED',
    'A request with this Idempotency-Key is still in progress; retry shortly',
    { in_progress: true },
    { 'Retry-After': '1' },
  );
