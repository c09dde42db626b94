import { isFileId } from '../domain/file-id';
import type { FileRecord } from '../domain/file-record';
import type { FileRecords, ObjectStore, UploadSessions } from '../domain/ports';
import { fileNotFound } from '../errors/api-error';

export interface DeleteDeps {
  records: FileRecords;
  objects: ObjectStore;
  sessions: UploadSessions;
  onBackgroundError?: (what: string, error: unknown) => void;
}

/**
 * DELETE …/files/{file_id}. An upload in progress is cancelled (its session
 * too); anything else is soft-deleted and its object removed. The record
 * changes first, so a register or finalize racing it loses; repeating the call
 * only retries removing the object.
 */
export async function deleteFile(deps: DeleteDeps, organizationId: string, fileId: string): Promise<void> {
  let record = isFileId(fileId) ? await deps.records.find(organizationId, fileId) : null;
  if (!record) throw fileNotFound(fileId);
  while (record.status !== 'deleted') {
    const from: FileRecord = record;
    const next: Partial<FileRecord> = from.status === 'uploading' ? { status: 'cancelled', session_uri: null } : { status: 'deleted' };
    const result = await deps.records.transition(organizationId, fileId, from.status, next);
    if (!result) throw fileNotFound(fileId);
    if (result.changed) {
      if (from.session_uri) {
        // The record already refuses the upload; a live session would only take bytes in vain.
        deps.sessions.cancelSession(from.session_uri).catch((error) => deps.onBackgroundError?.('cancel session', error));
      }
      break;
    }
    // It moved under us (completed, expired, deleted): decide again from where it is.
    record = result.record;
  }
  await deps.objects.remove(record.storage_path);
}
