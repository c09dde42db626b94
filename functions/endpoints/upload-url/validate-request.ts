import { isValidIdempotencyKey } from '../../domain/idempotency';
import { normalizeMimeType } from '../../domain/mime-type';
import { parseOrigin } from '../../domain/origin';
import { malformedTextField } from '../../domain/well-formed-text';
import { ApiError, invalidJson } from '../../errors/api-error';
import { fileTooLarge, malformedText, metadataKeyError, validationError } from '../../errors/validation-error';
import type { UploadUrlRequest } from '../../generated/schema-types';
import { validateUploadUrlRequest } from '../../generated/validators';

/** The body as the schema allows it, filename in NFC and MIME type normalized; 400 in the envelope otherwise. */
export function validUploadUrlRequest(body: unknown, maxFileSize: number): UploadUrlRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw invalidJson();
  // A copy, as the schema's defaults and NFC write to it. Object.assign, not a spread: on Node 20 a
  // property added to a spread copy of a parsed object takes V8's slow path (this function 7-9 µs
  // against 2.5; Node 24 is as fast either way). bench/RESULTS.md, stop 25.
  const candidate: Record<string, unknown> = {};
  Object.assign(candidate, body);
  const malformed = malformedTextField(candidate);
  if (malformed !== undefined) throw malformedText(malformed);
  if (typeof candidate.filename === 'string') candidate.filename = candidate.filename.normalize('NFC');
  if (!validateUploadUrlRequest(candidate)) throw validationError(validateUploadUrlRequest.errors, candidate, maxFileSize);
  if (candidate.file_size > maxFileSize) throw fileTooLarge(candidate.file_size, maxFileSize);
  const keys = metadataKeyError(candidate);
  if (keys) throw keys;
  return { ...candidate, mime_type: normalizeMimeType(candidate.mime_type) };
}

export function checkIdempotencyKey(key: string | undefined): void {
  if (key !== undefined && !isValidIdempotencyKey(key)) {
    throw new ApiError(400, 'INVALID_FIELD_VALUE', 'Idempotency-Key must be 1-255 printable ASCII characters', {
      field: 'Idempotency-Key',
    });
  }
}

/** The session's origin (see origin.ts); an invalid Origin header is a 400, never passed to storage. */
export function validOrigin(header: string | undefined): string | undefined {
  const origin = parseOrigin(header);
  if (origin === 'invalid') {
    throw new ApiError(400, 'INVALID_FIELD_VALUE', 'Origin must be scheme://host[:port], as browsers send it', {
      field: 'Origin',
      value: (header ?? '').slice(0, 100),
    });
  }
  return origin === 'none' ? undefined : origin;
}
