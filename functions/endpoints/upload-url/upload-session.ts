import type { Config } from '../../config';
import type { FileRecord } from '../../domain/file-record';
import type { UploadUrlResponse } from '../../generated/schema-types';

/** The answer for a record and its session, the same for a first request and its replay. */
export function uploadSession(config: Config, record: FileRecord, sessionUri: string): UploadUrlResponse {
  return {
    upload_url: sessionUri,
    gcs_path: record.storage_path,
    file_id: record.id,
    expires_at: record.expires_at,
    max_file_size: config.maxFileSize,
    upload_type: 'resumable',
    chunk_size_recommended: config.chunkSizeRecommended,
  };
}
