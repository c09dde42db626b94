import type { Config } from '../config';
import { completeUpload } from '../domain/complete-upload';
import { toFileObject } from '../domain/file-record';
import { normalizeMimeType } from '../domain/mime-type';
import { parseGcsPath } from '../domain/object-name';
import { malformedTextField } from '../domain/well-formed-text';
import type { FileRecords, ObjectStore } from '../domain/ports';
import type { FileObject, RegisterRequest } from '../generated/schema-types';
import { validateRegisterRequest } from '../generated/validators';
import { ApiError, fileNotFound, invalidJson, registrationMismatch, stateConflict, verificationFailed } from '../errors/api-error';
import { malformedText, metadataKeyError, validationError } from '../errors/validation-error';

export interface RegisterDeps {
  config: Config;
  records: FileRecords;
  objects: ObjectStore;
  now?: () => number;
}

/**
 * POST …/files. The body must match the record upload-url wrote, and the
 * object in storage must verify against the record: 201 when this call
 * completes the upload, 200 when it was complete already.
 */
export async function registerFile(
  deps: RegisterDeps,
  input: { organizationId: string; body: unknown },
): Promise<{ status: 200 | 201; file: FileObject }> {
  const request = validRequest(input.body, deps.config.maxFileSize);
  const issued = parseGcsPath(request.gcs_path);
  // A path of another organization, or of none, is answered like a missing file.
  if (!issued || issued.organizationId !== input.organizationId) throw fileNotFound();
  const record = await deps.records.find(input.organizationId, issued.fileId);
  if (!record || record.storage_path !== request.gcs_path || record.status === 'deleted') throw fileNotFound(issued.fileId);

  const declared: [string, unknown, unknown][] = [
    ['file_id', record.id, request.file_id ?? record.id],
    ['filename', record.original_filename, request.filename],
    ['file_size', record.file_size, request.file_size],
    ['mime_type', record.mime_type, request.mime_type],
  ];
  for (const [field, expected, actual] of declared) if (expected !== actual) throw registrationMismatch({ field, expected, actual });
  // Given at register, purpose and metadata must be what upload-url recorded: register changes nothing of them.
  const { purpose, metadata } = toFileObject(record);
  if (request.purpose !== undefined && request.purpose !== purpose) {
    throw registrationMismatch({ field: 'purpose', expected: purpose, actual: request.purpose });
  }
  if (request.metadata !== undefined && !samePairs(request.metadata, metadata)) {
    throw registrationMismatch({ field: 'metadata', expected: metadata, actual: request.metadata });
  }

  const outcome = await completeUpload(deps, record);
  switch (outcome.kind) {
    case 'uploaded':
      return { status: outcome.changed ? 201 : 200, file: toFileObject(outcome.record) };
    case 'incomplete':
      throw new ApiError(409, 'UPLOAD_INCOMPLETE', 'The upload is not complete: no object is stored at gcs_path yet', {
        gcs_path: request.gcs_path,
      });
    case 'failed':
      if (outcome.mismatch) throw verificationFailed(outcome.mismatch);
      throw stateConflict(outcome.record.status, 'registered');
    case 'conflict':
      throw stateConflict(outcome.record.status, 'registered');
  }
}

function validRequest(body: unknown, maxFileSize: number): RegisterRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw invalidJson();
  // A copy, as the schema's defaults and NFC write to it (Object.assign: see upload-url's validate-request.ts).
  const candidate: Record<string, unknown> = {};
  Object.assign(candidate, body);
  const malformed = malformedTextField(candidate);
  if (malformed !== undefined) throw malformedText(malformed);
  if (typeof candidate.filename === 'string') candidate.filename = candidate.filename.normalize('NFC');
  if (!validateRegisterRequest(candidate)) throw validationError(validateRegisterRequest.errors, candidate, maxFileSize);
  const keys = metadataKeyError(candidate);
  if (keys) throw keys;
  return { ...candidate, mime_type: normalizeMimeType(candidate.mime_type) };
}

function samePairs(a: Record<string, string | undefined>, b: Record<string, string | undefined>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => b[k] === a[k]);
}
