import type { DownloadUrlResponse, FileContent, FileObject, FileUpdateRequest, UploadUrlResponse } from './generated/contract.js';

export type { FileList, FileObject, RegisterRequest, UploadUrlRequest, UploadUrlResponse } from './generated/contract.js';

export type FileStatus = FileObject['status'];

/** Body of PATCH …/files/{file_id}: a new filename, metadata to set (a string) or remove (null), or both. */
export type FileUpdate = FileUpdateRequest;

/** Answer of GET …/files/{file_id}/download-url. */
export type DownloadUrl = DownloadUrlResponse;

/** Answer of GET …/files/{file_id}/content: the file and a signed URL that reads it. */
export type { FileContent };

/**
 * An upload session and what it was started for: everything needed to go on
 * with it later (after a crash, in another process, after a page reload).
 * `upload_url` is a capability: store it as a secret.
 */
export interface UploadSession extends UploadUrlResponse {
  filename: string;
  mime_type: string;
  file_size: number;
  crc32c?: string;
}
