import { completeUpload, type CompletionDeps } from '../domain/complete-upload';
import { DIRECT_UPLOAD, parseGcsPath } from '../domain/object-name';

export interface FinalizedObject {
  bucket?: string;
  name?: string;
  generation?: string | number;
}

/**
 * The `google.cloud.storage.object.v1.finalized` event: the same verification
 * as register, so a file becomes `uploaded` even if its client never registers.
 * An object no live record expects (cancelled, expired, deleted, never issued)
 * is removed. Safe to receive twice, or alongside a register.
 */
export async function onObjectFinalized(deps: CompletionDeps & { bucket: string }, object: FinalizedObject): Promise<string> {
  if (object.bucket !== deps.bucket || !object.name) return 'ignored: another bucket';
  const issued = parseGcsPath(object.name);
  if (!issued) return 'ignored: not an upload path';
  const generation = object.generation === undefined ? undefined : String(object.generation);
  const record = await deps.records.find(issued.organizationId, issued.fileId);
  // A direct upload writes its object before its record, and records it (or removes it) itself.
  if (!record && (await deps.objects.stat(object.name))?.metadata.upload === DIRECT_UPLOAD) return 'ignored: a direct upload';
  if (!record || record.storage_path !== object.name) {
    await deps.objects.remove(object.name, generation);
    return 'removed: no record issued this path';
  }
  if (record.status === 'uploading') return (await completeUpload(deps, record)).kind;
  if (record.status === 'uploaded') return 'uploaded already';
  await deps.objects.remove(object.name, generation);
  return `removed: the file is ${record.status}`;
}
