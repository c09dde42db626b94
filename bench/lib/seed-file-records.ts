import type { Firestore } from '@google-cloud/firestore';
import type { FileRecord } from '../../functions/domain/file-record';
import { newFileId } from '../../functions/domain/file-id';
import { isoSeconds } from '../../functions/domain/iso-time';
import { gcsPath } from '../../functions/domain/object-name';

const BATCH = 500; // Firestore's most writes in one batch
const BATCHES_IN_FLIGHT = 4;

/**
 * `count` uploaded files of `organizationId`, written straight to Firestore in
 * batches, as register leaves them: upload-url's record, completed (the
 * usage counters are left alone: a listing never reads them). Several
 * share each second of `created_at` (whole seconds, as the function stamps
 * them), so the listing's order leans on its tie-break by id. Resolves to the
 * records, newest first (the listing's order).
 */
export async function seedUploadedFiles(db: Firestore, organizationId: string, count: number, perSecond = 7): Promise<FileRecord[]> {
  const start = Date.parse('2026-01-01T00:00:00Z');
  const records = Array.from({ length: count }, (_, i): FileRecord => {
    const id = newFileId();
    const createdAt = isoSeconds(start + Math.floor(i / perSecond) * 1000);
    return {
      id,
      object: 'file',
      organization_id: organizationId,
      original_filename: `seeded-${i}.bin`,
      filename_key: `seeded-${i}.bin`,
      file_size: 1_048_576 + i,
      mime_type: 'application/octet-stream',
      storage_path: gcsPath(organizationId, id, `seeded-${i}.bin`),
      status: 'uploaded',
      crc32c: 'AAAAAA==',
      md5_hash: null,
      uploaded_by: 'usr_seeded',
      uploaded_by_api_key_id: 'key_seeded',
      created_at: createdAt,
      uploaded_at: isoSeconds(start + Math.floor(i / perSecond) * 1000 + 60_000),
      expires_at: isoSeconds(start + 7 * 86_400_000),
      session_uri: null,
      purpose: 'user_upload',
      metadata: {},
    };
  });
  const batches: FileRecord[][] = [];
  for (let i = 0; i < records.length; i += BATCH) batches.push(records.slice(i, i + BATCH));
  const queue = [...batches];
  await Promise.all(
    Array.from({ length: BATCHES_IN_FLIGHT }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const batch = db.batch();
        for (const record of next) batch.create(db.doc(`organizations/${organizationId}/files/${record.id}`), record);
        await batch.commit();
      }
    }),
  );
  const byCodeUnit = (x: string, y: string) => (x < y ? 1 : x > y ? -1 : 0);
  return records.sort((a, b) => byCodeUnit(a.created_at, b.created_at) || byCodeUnit(a.id, b.id));
}
