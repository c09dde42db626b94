import type { UploadUrlResponse } from '../../generated/schema-types';
import type { UploadUrlDeps, UploadUrlInput } from './deps';
import { idempotently } from './idempotent-replay';
import { startUpload } from './start-upload';
import { checkIdempotencyKey, validOrigin, validUploadUrlRequest } from './validate-request';

/**
 * POST …/files/upload-url: validate, then start the upload (the session, then its record),
 * under an Idempotency-Key replaying the first answer instead.
 */
export async function createUploadUrl(deps: UploadUrlDeps, input: UploadUrlInput): Promise<UploadUrlResponse> {
  const request = validUploadUrlRequest(input.body, deps.config.maxFileSize);
  checkIdempotencyKey(input.idempotencyKey);
  const checked = { ...input, origin: validOrigin(input.origin) };
  if (checked.idempotencyKey === undefined) return startUpload(deps, checked, request);
  return idempotently(deps, checked, request, checked.idempotencyKey);
}
