import type { FileContent } from '../generated/schema-types';
import { signedRead, type DownloadUrlDeps } from './download-url';

/**
 * GET …/files/{file_id}/content[?disposition=attachment], as Aitronos' Files
 * API answers it: what the file is, and a signed URL that reads it (one hour
 * by default, CONTENT_URL_TTL_SECONDS).
 */
export async function getFileContent(deps: DownloadUrlDeps, organizationId: string, fileId: string, url: string): Promise<FileContent> {
  const { record, download_url, expires_at } = await signedRead(deps, organizationId, fileId, url);
  return {
    file_id: record.id,
    filename: record.original_filename,
    mime_type: record.mime_type,
    file_size: record.file_size,
    download_url,
    expires_at,
  };
}
