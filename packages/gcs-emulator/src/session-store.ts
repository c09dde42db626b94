import type { IncomingMessage } from 'node:http';
import { open, readdir, readFile, rm, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { UPLOAD_QUANTUM } from './aligned-hasher';
import { writeJsonAtomic } from './atomic-json';
import { RunningChecksums, type Digests } from './checksums';
import type { DataLayout } from './data-layout';
import { KeyedLock } from './keyed-lock';
import { warn } from './log';
import type { Preconditions } from './preconditions';
import type { ObjectInit, ObjectMetadata } from './object-metadata';
import { isUploadId, newUploadId } from './upload-id';

/** What a session's metadata JSON holds: everything fixed when it started, plus a
 * total learned later and, once done, the object it produced. */
export interface SessionRecord {
  uploadId: string;
  bucket: string;
  name: string;
  init: ObjectInit;
  expected: Partial<Digests>;
  /** From X-Upload-Content-Length: any other total fails. */
  pinnedSize?: number;
  /** The first numeric total a Content-Range stated. */
  declaredTotal?: number;
  preconditions: Preconditions;
  origin?: string;
  expiresAt: number;
  finalized?: ObjectMetadata;
}

/** A live session: its record, the bytes durably in its part file, and the running
 * checksums of those bytes (rebuilt from the part file after a restart, on first use). */
export class Session {
  persisted = 0;
  /** The request currently appending, so a newer one can take over. */
  writer: IncomingMessage | undefined;
  private sums: RunningChecksums | undefined;

  constructor(
    readonly record: SessionRecord,
    readonly partPath: string,
  ) {}

  get total(): number | undefined {
    return this.record.pinnedSize ?? this.record.declaredTotal;
  }

  async checksums(): Promise<RunningChecksums> {
    this.sums ??= await RunningChecksums.ofFile(this.partPath, this.persisted);
    return this.sums;
  }

  /** Forgets the checksums, to be rebuilt from the file (after a failed write). */
  resetChecksums(): void {
    this.sums = undefined;
  }
}

export type NewSession = Omit<SessionRecord, 'uploadId' | 'expiresAt'>;

/** Sessions under `sessions/`: `{id}.json` (record) and `{id}.part` (bytes so far). */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  private readonly lock = new KeyedLock();
  private sweeper: NodeJS.Timeout | undefined;

  private constructor(
    private readonly layout: DataLayout,
    private readonly ttlMs: number,
  ) {}

  /** Loads the sessions a previous run left; the persisted offset is the part file's
   * length cut to whole 256 KiB units (a torn tail from a crash is dropped). A session
   * whose object was committed (`committed`, by upload id) before the crash could mark
   * it done is marked done now: its part file is the object's data, and is not cut. */
  static async open(layout: DataLayout, ttlSeconds: number, committed: Map<string, ObjectMetadata>): Promise<SessionStore> {
    const store = new SessionStore(layout, ttlSeconds * 1000);
    const files = await readdir(layout.sessions);
    for (const file of files) {
      const uploadId = file.replace(/\.(json|part)$/, '');
      if (!isUploadId(uploadId)) {
        await rm(join(layout.sessions, file), { force: true });
        continue;
      }
      if (!file.endsWith('.json')) continue;
      const record = JSON.parse(await readFile(join(layout.sessions, file), 'utf8')) as SessionRecord;
      const session = new Session(record, layout.sessionPart(uploadId));
      const object = record.finalized ? undefined : committed.get(uploadId);
      if (object) {
        record.finalized = object;
        await store.save(session);
      }
      if (record.finalized) await rm(session.partPath, { force: true });
      else session.persisted = await alignedLength(session.partPath);
      store.sessions.set(uploadId, session);
    }
    for (const file of files) {
      if (file.endsWith('.part') && !store.sessions.has(file.slice(0, -'.part'.length))) {
        await rm(join(layout.sessions, file), { force: true });
      }
    }
    store.sweep();
    store.sweeper = setInterval(() => store.sweep(), Math.min(store.ttlMs, 60_000)).unref();
    return store;
  }

  close(): void {
    clearInterval(this.sweeper);
  }

  async create(fields: NewSession): Promise<Session> {
    const uploadId = newUploadId();
    const record: SessionRecord = { ...fields, uploadId, expiresAt: Date.now() + this.ttlMs };
    const session = new Session(record, this.layout.sessionPart(uploadId));
    await (await open(session.partPath, 'w')).close();
    await this.save(session);
    this.sessions.set(uploadId, session);
    return session;
  }

  /** The session, unless unknown, cancelled or expired. */
  find(uploadId: string | null): Session | undefined {
    if (!isUploadId(uploadId)) return undefined;
    const session = this.sessions.get(uploadId);
    if (session && session.record.expiresAt <= Date.now()) {
      this.remove(session);
      return undefined;
    }
    return session;
  }

  /** Runs `task` alone among the tasks of this session. */
  exclusive<T>(session: Session, task: () => Promise<T>): Promise<T> {
    return this.lock.run(session.record.uploadId, task);
  }

  save(session: Session): Promise<void> {
    return writeJsonAtomic(this.layout.sessionMeta(session.record.uploadId), session.record);
  }

  /** Forgets the session now; its files go once no request of it is running (so this
   * may be called from within one, without waiting). */
  remove(session: Session): void {
    const { uploadId } = session.record;
    this.sessions.delete(uploadId);
    this.exclusive(session, async () => {
      await rm(this.layout.sessionMeta(uploadId), { force: true });
      await rm(session.partPath, { force: true });
    }).catch((err: Error) => warn(`could not delete a session's files: ${err.message}`));
  }

  private sweep(): void {
    const now = Date.now();
    for (const session of [...this.sessions.values()]) {
      if (session.record.expiresAt <= now) this.remove(session);
    }
  }
}

async function alignedLength(path: string): Promise<number> {
  const size = await stat(path).then(
    (s) => s.size,
    () => 0,
  );
  const aligned = size - (size % UPLOAD_QUANTUM);
  if (aligned !== size) await truncate(path, aligned);
  return aligned;
}
