import { DEFAULT_PURPOSE } from '../../domain/file-record';
import { isPurpose, metadataProblem } from '../../domain/file-labels';
import { mimeTypeFor } from '../../domain/mime-by-name';
import { malformedTextField } from '../../domain/well-formed-text';
import { ApiError } from '../../errors/api-error';
import { validUploadUrlRequest } from '../upload-url/validate-request';

const KNOWN_FIELDS = new Set(['purpose', 'metadata']);

export interface FormLabels {
  purpose: string;
  metadata: Record<string, string>;
}

/** The form's text fields: `purpose` and `metadata` (a JSON object), each checked; any other is refused. */
export function validFormFields(fields: Record<string, string>): FormLabels {
  const unknown = Object.keys(fields).find((name) => !KNOWN_FIELDS.has(name));
  if (unknown !== undefined) throw new ApiError(400, 'UNKNOWN_FIELD', `Unknown field: ${unknown}`, { field: unknown });
  const purpose = fields.purpose ?? DEFAULT_PURPOSE;
  if (!isPurpose(purpose)) {
    throw new ApiError(400, 'INVALID_FIELD_VALUE', 'purpose must be 1-64 of a-z, 0-9 and _', {
      field: 'purpose',
      value: fields.purpose.slice(0, 100),
    });
  }
  if (fields.metadata === undefined) return { purpose, metadata: {} };
  let metadata: unknown;
  try {
    metadata = JSON.parse(fields.metadata);
  } catch {
    throw new ApiError(400, 'INVALID_FIELD_VALUE', 'metadata must be a JSON object of string pairs', { field: 'metadata' });
  }
  const problem = metadataProblem(metadata);
  if (problem) throw new ApiError(400, 'INVALID_FIELD_VALUE', problem, { field: 'metadata' });
  if (malformedTextField(metadata as Record<string, unknown>) !== undefined) {
    throw new ApiError(400, 'INVALID_FIELD_VALUE', 'metadata must be well-formed Unicode text', { field: 'metadata' });
  }
  return { purpose, metadata: metadata as Record<string, string> };
}

// Clients label a file they know nothing of as one of these, so they say as little as no type at all.
const GENERIC_TYPES = new Set(['application/octet-stream', 'text/plain']);

/**
 * The file part's name and type, by upload-url's rules (the size is checked
 * as the bytes come). A missing or generic type is the one its extension
 * says, as the SDK guesses it; a declared text/plain stays when the name says
 * nothing else, and a missing type is then application/octet-stream.
 */
export function validFilePart(filename: string, declaredType: string): { filename: string; mimeType: string } {
  if (filename === '') throw new ApiError(400, 'MISSING_REQUIRED_FIELD', 'The file part needs a filename', { field: 'filename' });
  const guessed = mimeTypeFor(filename.normalize('NFC'));
  const generic = GENERIC_TYPES.has(declaredType.toLowerCase());
  const mimeType = declaredType === '' ? guessed : generic && guessed !== 'application/octet-stream' ? guessed : declaredType;
  // file_size is not known yet: any valid one lets the rules of the other two fields speak.
  const checked = validUploadUrlRequest({ filename, file_size: 1, mime_type: mimeType }, Number.MAX_SAFE_INTEGER);
  return { filename: checked.filename, mimeType: checked.mime_type };
}
