import type { ErrorObject } from 'ajv';
import { metadataProblem } from '../domain/file-labels';
import { ApiError } from './api-error';

const FIELD_RULES: Record<string, string> = {
  filename: 'Filename must be 1-255 characters, without control characters, / or \\, and not . or ..',
  file_size: 'File size must be a whole number of bytes',
  mime_type: 'MIME type must be a valid type/subtype (RFC 6838), at most 255 characters',
  upload_type: 'Upload type must be resumable or simple',
  crc32c: 'crc32c must be the base64 of the 4-byte big-endian CRC32C, as Cloud Storage writes it',
  md5_hash: 'md5_hash must be the base64 of the 16-byte MD5, as Cloud Storage writes it',
  gcs_path: 'gcs_path must be the gcs_path that upload-url answered',
  file_id: 'file_id must be the file_id that upload-url answered',
  purpose: 'purpose must be 1-64 of a-z, 0-9 and _',
  metadata: 'metadata must be an object of at most 16 string pairs, values at most 500 characters',
};

/** The first schema violation, as the documented code with `details.field` and `details.value`. */
export function validationError(errors: ErrorObject[] | null | undefined, body: Record<string, unknown>, maxFileSize: number): ApiError {
  const error = errors?.[0];
  if (!error) return new ApiError(400, 'INVALID_FIELD_VALUE', 'Request body is not valid');
  if (error.keyword === 'required') {
    const field = (error.params as { missingProperty: string }).missingProperty;
    return new ApiError(400, 'MISSING_REQUIRED_FIELD', `${field} is required`, { field });
  }
  if (error.keyword === 'additionalProperties') {
    const field = (error.params as { additionalProperty: string }).additionalProperty;
    return new ApiError(400, 'UNKNOWN_FIELD', `Unknown field: ${field}`, { field });
  }
  const field = error.instancePath.split('/')[1] ?? '';
  const value = body[field];
  if (field === 'file_size' && typeof value === 'number' && Number.isInteger(value)) {
    if (value < 1) return new ApiError(400, 'INVALID_FIELD_VALUE', 'File size must be greater than 0', { field, value });
    if (value > maxFileSize) return fileTooLarge(value, maxFileSize);
  }
  return new ApiError(400, 'INVALID_FIELD_VALUE', FIELD_RULES[field] ?? `${field} is not valid`, { field, value: echo(value) });
}

/** Metadata the schema lets through but whose keys break their rule (Swagger 2.0, for the gateway, cannot say key rules). */
export function metadataKeyError(body: { metadata?: Record<string, string | undefined> }): ApiError | undefined {
  if (body.metadata === undefined) return undefined;
  const problem = metadataProblem(body.metadata);
  return problem ? new ApiError(400, 'INVALID_FIELD_VALUE', problem, { field: 'metadata' }) : undefined;
}

export function malformedText(field: string): ApiError {
  return new ApiError(400, 'INVALID_FIELD_VALUE', `${field} must be well-formed Unicode text (no unpaired surrogates)`, { field });
}

export function fileTooLarge(value: number, maxFileSize: number): ApiError {
  return new ApiError(400, 'FILE_TOO_LARGE', `File size must be at most ${maxFileSize} bytes`, {
    field: 'file_size',
    value,
    max_file_size: maxFileSize,
  });
}

/** Echo the offending value, bounded: a client's 60 KB string need not come back whole. */
function echo(value: unknown): unknown {
  if (typeof value === 'string' && value.length > 300) return `${value.slice(0, 300)}…`;
  if (value !== null && typeof value === 'object') return Array.isArray(value) ? '[array]' : '[object]';
  return value;
}
