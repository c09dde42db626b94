import type { ErrorEnvelope } from '../generated/schema-types';

export type ErrorCode = ErrorEnvelope['error']['code'];

/** A failure the client is told about, in the envelope, with this status and code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const notFound = () => new ApiError(404, 'NOT_FOUND', 'No such route');

export const methodNotAllowed = (allowed: string[]) =>
  new ApiError(405, 'METHOD_NOT_ALLOWED', 'Method not allowed on this route', { allowed }, { Allow: allowed.join(', ') });

export const payloadTooLarge = (limit: number) =>
  new ApiError(413, 'PAYLOAD_TOO_LARGE', `Request body must be at most ${limit} bytes`, { max_body_size: limit });

export const invalidJson = (message = 'Request body must be a JSON object') => new ApiError(400, 'INVALID_JSON', message);

export const unsupportedMediaType = (contentType: string) =>
  new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Request body must be JSON (Content-Type: application/json)', {
    content_type: contentType,
  });

export const serviceUnavailable = (retryAfterSeconds: number) =>
  new ApiError(
    503,
    'SERVICE_UNAVAILABLE',
    'A backend service is unavailable; retry shortly',
    {},
    { 'Retry-After': String(retryAfterSeconds) },
  );

export const internalError = () => new ApiError(500, 'INTERNAL_ERROR', 'An internal error occurred');

export const accessDenied = (organizationId: string) =>
  new ApiError(403, 'ORGANIZATION_ACCESS_DENIED', 'You do not have access to this organization', {
    organization_id: organizationId,
  });

export const fileNotFound = (fileId?: string) =>
  new ApiError(404, 'FILE_NOT_FOUND', 'No such file in this organization', fileId ? { file_id: fileId } : {});

export const stateConflict = (status: string, action: string) =>
  new ApiError(409, 'FILE_STATE_CONFLICT', `A file that is ${status} cannot be ${action}`, { status });

/** The stored object contradicts the declaration: the file is now failed, its object deleted. `expected` declared, `actual` stored. */
export const verificationFailed = (mismatch: { field: string; expected: unknown; actual: unknown }) =>
  new ApiError(
    422,
    'UPLOAD_VERIFICATION_FAILED',
    `The stored object does not match what was declared: ${mismatch.field}; the file is now failed`,
    {
      field: mismatch.field,
      expected: mismatch.expected,
      actual: mismatch.actual,
    },
  );

/** The register body contradicts the record; nothing changed. `expected` the record's, `actual` the body's. */
export const registrationMismatch = (mismatch: { field: string; expected: unknown; actual: unknown }) =>
  new ApiError(422, 'REGISTRATION_MISMATCH', `The request does not match the upload on record: ${mismatch.field}; nothing changed`, {
    field: mismatch.field,
    expected: mismatch.expected,
    actual: mismatch.actual,
  });
