import { FieldPath, type DocumentReference, type Firestore } from '@google-cloud/firestore';
import { DEFAULT_PURPOSE, type FileRecord } from '../../functions/domain/file-record';
import { filenameKey } from '../../functions/domain/filename-key';
import { organizationPath } from '../../functions/domain/tenancy';

const PAGE = 300;
/** Transactions in flight at once: enough to go quickly, few enough not to contend with the API's own writes. */
const CONCURRENCY = 16;

/**
 * Gives every file record written before search existed what the filtered
 * listings range over: `filename_key`, and `purpose` (absent reads as
 * user_upload, but only a stored one is found by `purpose=`). Each record is
 * written in a transaction of its own, so a rename meanwhile is not undone;
 * records that have both are only read. Safe to run again.
 */
export async function backfillSearch(db: Firestore, organizationId?: string): Promise<{ scanned: number; updated: number }> {
  const files = organizationId ? db.collection(`${organizationPath(organizationId)}/files`) : db.collectionGroup('files');
  let scanned = 0;
  let updated = 0;
  let after: DocumentReference | undefined;
  for (;;) {
    const ordered = files.orderBy(FieldPath.documentId()).limit(PAGE);
    const page = await (after ? ordered.startAfter(after) : ordered).get();
    scanned += page.size;
    const lacking = page.docs.filter((d) => missingFields(d.data() as FileRecord) !== null).map((d) => d.ref);
    for (let i = 0; i < lacking.length; i += CONCURRENCY) {
      const written = await Promise.all(lacking.slice(i, i + CONCURRENCY).map((ref) => backfillOne(db, ref)));
      updated += written.filter(Boolean).length;
    }
    if (page.size < PAGE) return { scanned, updated };
    after = page.docs[page.size - 1].ref;
  }
}

function backfillOne(db: Firestore, ref: DocumentReference): Promise<boolean> {
  return db.runTransaction(async (tx) => {
    const snap = await tx.get(ref);
    const fields = snap.exists ? missingFields(snap.data() as FileRecord) : null;
    if (fields) tx.update(ref, fields);
    return fields !== null;
  });
}

function missingFields(record: FileRecord): Partial<FileRecord> | null {
  const fields: Partial<FileRecord> = {};
  if (record.filename_key === undefined) fields.filename_key = filenameKey(record.original_filename);
  if (record.purpose === undefined) fields.purpose = DEFAULT_PURPOSE;
  return Object.keys(fields).length > 0 ? fields : null;
}
