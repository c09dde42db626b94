import { isFileId } from '../domain/file-id';
import type { FileRecord } from '../domain/file-record';
import type { FileRecords, ObjectStore, UploadSessions } from '../domain/ports';
import { fileNotFound } from '../errors/api-error';

export interface DeleteDeps {
  records: FileRecords;
  objects: ObjectStore;
  sessions: UploadSessions;
}

/**
 * DELETE …/files/{file_id}. An upload in progress is cancelled (its session
 * too); anything else is soft-deleted and its object removed. The record
 * changes first, so a register or finalize racing it loses; repeating the call
 * only retries the clean-up, which the sweeper also finishes if this cannot.
 */
export async function deleteFile(deps: DeleteDeps, organizationId: string, fileId: string): Promise<void> {
  let record = isFileId(fileId) ? await deps.records.find(organizationId, fileId) : null;
  if (!record) throw fileNotFound(fileId);
  while (record.status !== 'deleted') {
    const from: FileRecord = record;
    const next: Partial<FileRecord> =
      from.status === 'uploading' ? { status: 'cancelled', leftovers: true } : { status: 'deleted', leftovers: true };
    const result = await deps.records.transition(organizationId, fileId, from.status, next);
    if (!result) throw fileNotFound(fileId);
    // The record as the transition found it: its session URI is the one to cancel,
    // whatever an earlier read saw (the change was conditional on that state).
    record = result.record;
    if (result.changed) break;
    // It moved under us (completed, expired, deleted): decide again from where it is.
  }
  // Awaited: once the answer is 204 the session takes no more bytes.
  await Promise.all([
    record.session_uri ? deps.sessions.cancelSession(record.session_uri) : undefined,
    deps.objects.remove(record.storage_path),
  ]);
}
