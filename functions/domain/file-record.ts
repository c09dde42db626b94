import type { FileMetadata, FileObject } from '../generated/schema-types';

/** Why a file failed: for a verification failure, the fact of the stored object (`actual`) that contradicted the declaration (`expected`). */
export interface FileFailure {
  reason: string;
  field: string | null;
  expected: unknown;
  actual: unknown;
}

/**
 * `organizations/{org}/files/{file_id}`. Its own type, not the File object's:
 * a field added here reaches clients only if toFileObject names it.
 */
export interface FileRecord {
  id: string;
  object: 'file';
  organization_id: string;
  original_filename: string;
  file_size: number;
  mime_type: string;
  storage_path: string;
  status: FileObject['status'];
  crc32c: string | null;
  md5_hash: string | null;
  uploaded_by: string;
  uploaded_by_api_key_id: string;
  created_at: string;
  uploaded_at: string | null;
  /** When the session dies (the sweeper's cue); clients see it only while the file is uploading. */
  expires_at: string;
  /** Set when the file fails. */
  failure?: FileFailure;
  /** What the file is for; records written before purposes existed read as DEFAULT_PURPOSE. */
  purpose?: string;
  /** The client's own string pairs; absent reads as none. */
  metadata?: FileMetadata;
  /**
   * filenameKey(original_filename), written with the record and on every
   * rename: what `search` ranges over. Absent on records from before search,
   * until files-admin backfills it.
   */
  filename_key?: string;
  /** The resumable session URI: a capability, never returned after creation, never logged. */
  session_uri: string | null;
  /**
   * Set by every move out of `uploading`/`uploaded` except completion: the
   * session (if any) and the object may still exist, and the sweeper removes
   * them, then clears this and the URI.
   */
  leftovers?: boolean;
}

export const DEFAULT_PURPOSE = 'user_upload';

/** The File object a client may see, field by field (an allow-list). */
export function toFileObject(record: FileRecord): FileObject {
  return {
    id: record.id,
    object: 'file',
    organization_id: record.organization_id,
    original_filename: record.original_filename,
    file_size: record.file_size,
    mime_type: record.mime_type,
    storage_path: record.storage_path,
    status: record.status,
    crc32c: record.crc32c,
    md5_hash: record.md5_hash,
    uploaded_by: record.uploaded_by,
    uploaded_by_api_key_id: record.uploaded_by_api_key_id,
    created_at: record.created_at,
    uploaded_at: record.uploaded_at,
    expires_at: record.status === 'uploading' ? record.expires_at : null,
    failure: record.status === 'failed' ? publicFailure(record.failure) : null,
    purpose: record.purpose ?? DEFAULT_PURPOSE,
    metadata: { ...record.metadata },
  };
}

function publicFailure(failure: FileFailure | undefined): NonNullable<FileObject['failure']> {
  if (!failure) return { reason: 'the upload failed', field: null, expected: null, actual: null };
  return { reason: failure.reason, field: failure.field, expected: failure.expected ?? null, actual: failure.actual ?? null };
}

/** The failure of a refused or abandoned upload: nothing of the object to report. */
export function failedBecause(reason: string): FileFailure {
  return { reason, field: null, expected: null, actual: null };
}
