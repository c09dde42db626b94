import { metadataProblem } from './file-labels';
import type { FileRecord } from './file-record';
import { filenameKey } from './filename-key';

/** What PATCH asks of a file: a new filename (NFC, already valid), metadata keys to set (a string) or remove (null). */
export interface FileChange {
  filename?: string;
  metadata?: Record<string, string | null>;
}

/**
 * What an update came to: the record as it is now and the fields written, or
 * why nothing was written. Decided on the record as the update's transaction
 * read it, so two concurrent changes cannot together break a limit.
 */
export type FileUpdate =
  | { updated: FileRecord; fields: Partial<FileRecord> }
  | { refused: 'not_found' }
  | { refused: 'state'; status: FileRecord['status'] }
  | { refused: 'metadata'; problem: string };

export function applyFileChange(record: FileRecord | null, change: FileChange): FileUpdate {
  if (!record || record.status === 'deleted') return { refused: 'not_found' };
  const fields: Partial<FileRecord> = {};
  if (change.filename !== undefined) {
    // Register checks the name it is sent against the record's: a rename waits until no register is to come.
    if (record.status === 'uploading') return { refused: 'state', status: record.status };
    fields.original_filename = change.filename;
    fields.filename_key = filenameKey(change.filename);
  }
  if (change.metadata !== undefined) {
    const merged: Record<string, string | undefined> = { ...record.metadata };
    for (const [key, value] of Object.entries(change.metadata)) {
      if (value === null) delete merged[key];
      else merged[key] = value;
    }
    const problem = metadataProblem(merged);
    if (problem) return { refused: 'metadata', problem };
    fields.metadata = merged;
  }
  return { updated: { ...record, ...fields }, fields };
}
