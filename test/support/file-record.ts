import type { FileRecord } from '../../functions/domain/file-record';

/** A record as upload-url writes one; tests of other ports build theirs from it too. */
export function record(org: string, id: string, change: Partial<FileRecord> = {}): FileRecord {
  return {
    id,
    object: 'file',
    organization_id: org,
    original_filename: `${id}.bin`,
    file_size: 100,
    mime_type: 'application/octet-stream',
    storage_path: `files/${org}/${id}/${id}.bin`,
    status: 'uploading',
    crc32c: null,
    md5_hash: null,
    uploaded_by: 'usr_1',
    uploaded_by_api_key_id: 'key_1',
    created_at: '2026-01-01T00:00:00Z',
    uploaded_at: null,
    expires_at: '2026-01-08T00:00:00Z',
    session_uri: null,
    ...change,
  };
}
