import { isFileId } from '../domain/file-id';
import { toFileObject } from '../domain/file-record';
import type { FileRecords } from '../domain/ports';
import type { FileObject } from '../generated/schema-types';
import { fileNotFound } from '../errors/api-error';

/** GET …/files/{file_id}. A deleted file, like another organization's, does not exist here. */
export async function getFile(records: FileRecords, organizationId: string, fileId: string): Promise<FileObject> {
  const record = isFileId(fileId) ? await records.find(organizationId, fileId) : null;
  if (!record || record.status === 'deleted') throw fileNotFound(fileId);
  return toFileObject(record);
}
