import type { FileChange } from '../domain/file-change';
import { isFileId } from '../domain/file-id';
import { metadataKeyProblem } from '../domain/file-labels';
import type { UploadProgress } from '../domain/upload-progress';
import type { FileRecords } from '../domain/ports';
import { malformedTextField } from '../domain/well-formed-text';
import { ApiError, fileNotFound, invalidJson, stateConflict } from '../errors/api-error';
import { malformedText, validationError } from '../errors/validation-error';
import type { FileObject } from '../generated/schema-types';
import { validateFileUpdateRequest } from '../generated/validators';

/**
 * PATCH …/files/{file_id}: a rename and/or a metadata merge, checked here
 * (the filename as upload-url checks it), then decided and written in one
 * transaction by the records port, where the merged metadata meets its limits.
 */
export async function updateFile(
  deps: { records: FileRecords; progress: UploadProgress },
  organizationId: string,
  fileId: string,
  body: unknown,
): Promise<FileObject> {
  const change = validChange(body);
  if (!isFileId(fileId)) throw fileNotFound(fileId);
  const outcome = await deps.records.update(organizationId, fileId, change);
  if ('updated' in outcome) return deps.progress.fileObject(outcome.updated);
  if (outcome.refused === 'not_found') throw fileNotFound(fileId);
  if (outcome.refused === 'state') throw stateConflict(outcome.status, 'renamed until its upload is complete');
  throw new ApiError(400, 'INVALID_FIELD_VALUE', outcome.problem, { field: 'metadata' });
}

function validChange(body: unknown): FileChange {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw invalidJson();
  const candidate: Record<string, unknown> = { ...body };
  const malformed = malformedTextField(candidate);
  if (malformed !== undefined) throw malformedText(malformed);
  if (Object.keys(candidate).length === 0) {
    throw new ApiError(400, 'MISSING_REQUIRED_FIELD', 'Give filename, metadata or both', { field: 'filename' });
  }
  if (typeof candidate.filename === 'string') candidate.filename = candidate.filename.normalize('NFC');
  if (!validateFileUpdateRequest(candidate)) throw validationError(validateFileUpdateRequest.errors, candidate, 0);
  // Keys to remove are held to the key rule too: a key that could never be set names nothing to remove.
  const badKey = Object.keys(candidate.metadata ?? {})
    .map(metadataKeyProblem)
    .find((problem) => problem !== undefined);
  if (badKey) throw new ApiError(400, 'INVALID_FIELD_VALUE', badKey, { field: 'metadata' });
  return candidate;
}
