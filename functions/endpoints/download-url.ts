import { attachmentDisposition } from '../domain/content-disposition';
import { isFileId } from '../domain/file-id';
import type { FileRecord } from '../domain/file-record';
import { isoSeconds } from '../domain/iso-time';
import type { DownloadSigner, FileRecords } from '../domain/ports';
import type { DownloadUrlResponse } from '../generated/schema-types';
import { ApiError, fileNotFound, stateConflict } from '../errors/api-error';

export interface DownloadUrlDeps {
  records: FileRecords;
  signer: DownloadSigner;
  /** how long a URL works */
  downloadUrlTtlSeconds: number;
  now?: () => number;
}

/**
 * GET …/files/{file_id}/download-url[?disposition=attachment]: a signed URL that
 * reads the object, only for an uploaded file of this organization. The URL is
 * the capability to read: short-lived, and never logged.
 */
export async function createDownloadUrl(
  deps: DownloadUrlDeps,
  organizationId: string,
  fileId: string,
  url: string,
): Promise<DownloadUrlResponse> {
  const { download_url, expires_at } = await signedRead(deps, organizationId, fileId, url);
  return { download_url, expires_at };
}

/** The signed read of an uploaded file (see createDownloadUrl), and the file's record: download-url and content share it. */
export async function signedRead(
  deps: DownloadUrlDeps,
  organizationId: string,
  fileId: string,
  url: string,
): Promise<DownloadUrlResponse & { record: FileRecord }> {
  const attachment = wantsAttachment(url);
  const record = isFileId(fileId) ? await deps.records.find(organizationId, fileId) : null;
  if (!record || record.status === 'deleted') throw fileNotFound(fileId);
  if (record.status !== 'uploaded') throw stateConflict(record.status, 'downloaded');
  // Whole seconds, so the URL's X-Goog-Date + X-Goog-Expires is exactly expires_at.
  const accessibleAt = Math.floor((deps.now ?? Date.now)() / 1000) * 1000;
  const expiresAt = accessibleAt + deps.downloadUrlTtlSeconds * 1000;
  const downloadUrl = await deps.signer.signDownloadUrl({
    objectName: record.storage_path,
    accessibleAt: new Date(accessibleAt),
    expiresAt: new Date(expiresAt),
    responseDisposition: attachment ? attachmentDisposition(record.original_filename) : undefined,
  });
  return { download_url: downloadUrl, expires_at: isoSeconds(expiresAt), record };
}

/** `disposition` is absent, or exactly `attachment`; anything else is a mistake worth telling. */
function wantsAttachment(url: string): boolean {
  const values = new URL(url, 'http://local').searchParams.getAll('disposition');
  if (values.length === 0) return false;
  if (values.length === 1 && values[0] === 'attachment') return true;
  throw new ApiError(400, 'INVALID_FIELD_VALUE', 'disposition must be attachment, or absent', {
    field: 'disposition',
    value: values.join(',').slice(0, 50),
  });
}
