import { isFileId } from '../domain/file-id';
import type { FileRecords } from '../domain/ports';
import type { UploadProgress } from '../domain/upload-progress';
import type { FileObject } from '../generated/schema-types';
import { fileNotFound } from '../errors/api-error';

/** GET …/files/{file_id}. A deleted file, like another organization's, does not exist here; an uploading one says how far it got. */
export async function getFile(
  deps: { records: FileRecords; progress: UploadProgress },
  organizationId: string,
  fileId: string,
): Promise<FileObject> {
  const record = isFileId(fileId) ? await deps.records.find(organizationId, fileId) : null;
  if (!record || record.status === 'deleted') throw fileNotFound(fileId);
  return deps.progress.fileObject(record);
}
