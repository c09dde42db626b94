import type { FileObject } from '../generated/schema-types';
import { toFileObject, type FileRecord } from './file-record';
import type { UploadSessions } from './ports';
import { TtlCache } from './ttl-cache';

/** Status queries a listing runs at once: a page of 100 uploads costs a few round trips, not 100 at a time. */
const LIST_CONCURRENCY = 8;

/**
 * `bytes_received` of `uploading` files: a status query of the session,
 * remembered per file for a few seconds so a client polling get or list costs
 * storage one query per file and period. A query that fails (or a session that
 * is gone) leaves the field out: progress is a hint, never a reason to fail.
 * The session URI stays inside: nothing here logs or answers it.
 */
export class UploadProgress {
  private readonly cache: TtlCache<number | undefined>;

  constructor(
    private readonly sessions: Pick<UploadSessions, 'sessionProgress'>,
    cacheMs: number,
    now?: () => number,
  ) {
    this.cache = new TtlCache(cacheMs, 10_000, now);
  }

  async fileObject(record: FileRecord): Promise<FileObject> {
    return withReceived(record, await this.received(record));
  }

  /** The File objects of a page, the uploading ones' queries LIST_CONCURRENCY at a time. */
  async fileObjects(records: FileRecord[]): Promise<FileObject[]> {
    const received = new Array<number | undefined>(records.length);
    let next = 0;
    const worker = async () => {
      while (next < records.length) {
        const i = next++;
        received[i] = await this.received(records[i]);
      }
    };
    const waiting = records.filter((r) => r.status === 'uploading' && r.session_uri).length;
    await Promise.all(Array.from({ length: Math.min(LIST_CONCURRENCY, waiting) }, worker));
    return records.map((record, i) => withReceived(record, received[i]));
  }

  private async received(record: FileRecord): Promise<number | undefined> {
    const uri = record.session_uri;
    if (record.status !== 'uploading' || !uri) return undefined;
    return this.cache.get(`${record.organization_id}/${record.id}`, async () => {
      try {
        const progress = await this.sessions.sessionProgress(uri);
        if (progress === 'complete') return record.file_size;
        return progress?.received;
      } catch {
        return undefined;
      }
    });
  }
}

function withReceived(record: FileRecord, received: number | undefined): FileObject {
  const file = toFileObject(record);
  return received === undefined ? file : { ...file, bytes_received: received };
}
