import { SNIFF_BYTES } from './content-sniff';
import type { FileRecord } from './file-record';
import { isoSeconds } from './iso-time';
import type { FileRecords, ObjectStore } from './ports';
import { verifyObject, type Mismatch } from './verify-upload';

export type Completion =
  | { kind: 'uploaded'; record: FileRecord; changed: boolean }
  | { kind: 'incomplete'; record: FileRecord }
  | { kind: 'failed'; record: FileRecord; mismatch?: Mismatch }
  | { kind: 'conflict'; record: FileRecord };

export interface CompletionDeps {
  records: FileRecords;
  objects: ObjectStore;
  now?: () => number;
}

/**
 * Moves an `uploading` record to `uploaded` once storage holds an object that
 * verifies against it, or to `failed` (deleting the object) when it does not.
 * Register and the storage finalize event both come here, as often and as
 * concurrently as they like: exactly one caller makes the transition.
 */
export async function completeUpload(deps: CompletionDeps, record: FileRecord): Promise<Completion> {
  if (record.status !== 'uploading') return settled(record);
  const object = await deps.objects.stat(record.storage_path);
  if (!object) return { kind: 'incomplete', record };
  const head = await deps.objects.readHead(record.storage_path, object.generation, SNIFF_BYTES);
  if (!head) return vanished(deps, record);
  const mismatch = verifyObject(record, object, head);
  const org = record.organization_id;
  if (mismatch) {
    const result = await deps.records.transition(org, record.id, 'uploading', {
      status: 'failed',
      failure: { reason: 'the stored object contradicts what was declared', ...mismatch },
      leftovers: true,
    });
    if (!result) return { kind: 'conflict', record };
    if (!result.changed) return settled(result.record);
    await deps.objects.remove(record.storage_path, object.generation);
    return { kind: 'failed', record: result.record, mismatch };
  }
  const result = await deps.records.transition(org, record.id, 'uploading', {
    status: 'uploaded',
    uploaded_at: isoSeconds((deps.now ?? Date.now)()),
    crc32c: object.crc32c ?? null,
    md5_hash: object.md5Hash ?? null,
    session_uri: null,
  });
  if (!result) return { kind: 'conflict', record };
  return result.changed ? { kind: 'uploaded', record: result.record, changed: true } : settled(result.record);
}

/** The object went between its metadata and its bytes: whoever removed it (a DELETE, a failed verification) moved the record first. */
async function vanished(deps: CompletionDeps, record: FileRecord): Promise<Completion> {
  const now = await deps.records.find(record.organization_id, record.id);
  if (!now) return { kind: 'conflict', record };
  return now.status === 'uploading' ? { kind: 'incomplete', record: now } : settled(now);
}

function settled(record: FileRecord): Completion {
  if (record.status === 'uploaded') return { kind: 'uploaded', record, changed: false };
  const failure = record.failure;
  if (record.status === 'failed' && failure?.field)
    return { kind: 'failed', record, mismatch: { field: failure.field, expected: failure.expected, actual: failure.actual } };
  return { kind: 'conflict', record };
}
