import { randomBytes } from 'node:crypto';
import { link, mkdir, readdir, readFile, rename, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from './atomic-json';
import type { Digests } from './checksums';
import type { DataLayout } from './data-layout';
import { notFound } from './errors';
import { KeyedLock } from './keyed-lock';
import { checkPreconditions, type Preconditions } from './preconditions';
import type { ObjectInit, ObjectMetadata } from './object-metadata';

export interface ObjectToCommit {
  init: ObjectInit;
  size: number;
  /** A composite object has no MD5. */
  digests: Pick<Digests, 'crc32c'> & Partial<Digests>;
  componentCount?: number;
  uploadId?: string;
}

/** Finalized objects: bytes in a generation-specific data file, metadata JSON renamed
 * into place last, so an object exists exactly when its metadata file does. The index
 * lives in memory and is rebuilt from the metadata files on start. */
export class FinalizedObjects {
  private readonly byBucket = new Map<string, Map<string, ObjectMetadata>>();
  private readonly sortedNames = new Map<string, string[]>();
  private readonly lock = new KeyedLock();
  private lastGeneration = 0;

  private constructor(private readonly layout: DataLayout) {}

  static async open(layout: DataLayout, buckets: Iterable<string>): Promise<FinalizedObjects> {
    const store = new FinalizedObjects(layout);
    for (const bucket of buckets) await store.load(bucket);
    return store;
  }

  async addBucket(bucket: string): Promise<void> {
    await mkdir(this.layout.bucketObjects(bucket), { recursive: true });
    this.byBucket.set(bucket, new Map());
  }

  async removeBucket(bucket: string): Promise<void> {
    this.byBucket.delete(bucket);
    this.sortedNames.delete(bucket);
    await rm(this.layout.bucketObjects(bucket), { recursive: true, force: true });
  }

  get(bucket: string, name: string): ObjectMetadata | undefined {
    return this.byBucket.get(bucket)?.get(name);
  }

  isEmpty(bucket: string): boolean {
    return (this.byBucket.get(bucket)?.size ?? 0) === 0;
  }

  /** Live object names in the listing order of Cloud Storage (UTF-8 byte order). */
  names(bucket: string): string[] {
    let sorted = this.sortedNames.get(bucket);
    if (!sorted) {
      sorted = [...(this.byBucket.get(bucket)?.keys() ?? [])].sort(utf8Compare);
      this.sortedNames.set(bucket, sorted);
    }
    return sorted;
  }

  dataPath(obj: ObjectMetadata): string {
    return this.layout.objectData(obj.bucket, obj.name, obj.generation);
  }

  /** Makes `source` (a complete file, moved, not copied) the new live generation of the
   * object, if the preconditions hold against the current one (412 otherwise). */
  commit(bucket: string, name: string, source: string, fresh: ObjectToCommit, pre: Preconditions): Promise<ObjectMetadata> {
    return this.lock.run(`${bucket}/${name}`, async () => {
      if (!this.byBucket.has(bucket)) throw notFound(`The specified bucket does not exist: ${bucket}`);
      const previous = this.get(bucket, name);
      checkPreconditions(previous, pre);
      const now = new Date().toISOString();
      const obj: ObjectMetadata = {
        ...fresh.init,
        bucket,
        name,
        generation: this.nextGeneration(),
        metageneration: '1',
        contentType: fresh.init.contentType || 'application/octet-stream',
        size: fresh.size,
        ...(fresh.digests.md5Hash ? { md5Hash: fresh.digests.md5Hash } : {}),
        crc32c: fresh.digests.crc32c,
        ...(fresh.componentCount ? { componentCount: fresh.componentCount } : {}),
        timeCreated: now,
        updated: now,
        ...(fresh.uploadId ? { uploadId: fresh.uploadId } : {}),
      };
      const data = this.dataPath(obj);
      await rename(source, data);
      try {
        await writeJsonAtomic(this.layout.objectMeta(bucket, name, obj.generation), obj);
      } catch (err) {
        await unlink(data).catch(() => undefined);
        throw err;
      }
      this.index(obj);
      if (previous) await this.removeFiles(previous);
      return obj;
    });
  }

  /** Changes the live object's metadata (not its bytes) if the preconditions hold:
   * a new metageneration of the same generation. */
  update(bucket: string, name: string, pre: Preconditions, change: (current: ObjectMetadata) => ObjectMetadata): Promise<ObjectMetadata> {
    return this.lock.run(`${bucket}/${name}`, async () => {
      const current = this.get(bucket, name);
      if (!current) throw notFound(`No such object: ${bucket}/${name}`);
      checkPreconditions(current, pre);
      const changed: ObjectMetadata = {
        ...change(current),
        bucket,
        name,
        generation: current.generation,
        metageneration: String(Number(current.metageneration) + 1),
        updated: new Date().toISOString(),
      };
      await writeJsonAtomic(this.layout.objectMeta(bucket, name, current.generation), changed);
      this.index(changed);
      return changed;
    });
  }

  /** A scratch file with the object's bytes, for `commit` to take (a copy). Data files
   * never change once written, so a hard link is a copy; the caller removes it if it
   * does not commit it. */
  stageCopy(obj: ObjectMetadata): Promise<string> {
    return this.stage(this.dataPath(obj));
  }

  /** A scratch hard link to `path`, for `commit` to take while `path` stays. */
  async stage(path: string): Promise<string> {
    const staged = join(this.layout.scratch, `${randomBytes(12).toString('hex')}.copy`);
    await link(path, staged);
    return staged;
  }

  /** The live objects made by resumable sessions, by upload id (read once, on start). */
  byUploadId(): Map<string, ObjectMetadata> {
    const made = new Map<string, ObjectMetadata>();
    for (const objects of this.byBucket.values()) {
      for (const obj of objects.values()) if (obj.uploadId) made.set(obj.uploadId, obj);
    }
    return made;
  }

  /** Deletes the live object if the preconditions hold; false when there is none. */
  delete(bucket: string, name: string, pre: Preconditions): Promise<boolean> {
    return this.lock.run(`${bucket}/${name}`, async () => {
      const current = this.get(bucket, name);
      if (!current) return false;
      checkPreconditions(current, pre);
      await unlink(this.layout.objectMeta(bucket, name, current.generation));
      this.byBucket.get(bucket)?.delete(name);
      this.sortedNames.delete(bucket);
      await unlink(this.dataPath(current)).catch(() => undefined);
      return true;
    });
  }

  private index(obj: ObjectMetadata): void {
    let objects = this.byBucket.get(obj.bucket);
    if (!objects) {
      objects = new Map();
      this.byBucket.set(obj.bucket, objects);
    }
    if (!objects.has(obj.name)) this.sortedNames.delete(obj.bucket);
    objects.set(obj.name, obj);
  }

  private async removeFiles(obj: ObjectMetadata): Promise<void> {
    await unlink(this.layout.objectMeta(obj.bucket, obj.name, obj.generation)).catch(() => undefined);
    await unlink(this.dataPath(obj)).catch(() => undefined);
  }

  /** Rebuilds a bucket's index: the newest metadata file per name whose data file
   * exists wins; everything else (superseded generations, data without metadata from
   * an interrupted commit, temp files) is removed. */
  private async load(bucket: string): Promise<void> {
    const dir = this.layout.bucketObjects(bucket);
    await mkdir(dir, { recursive: true });
    const files = new Set(await readdir(dir));
    const newest = new Map<string, { obj: ObjectMetadata; meta: string; data: string }>();
    for (const meta of files) {
      if (!meta.endsWith('.json')) continue;
      const data = meta.replace(/\.json$/, '.data');
      if (!files.has(data)) continue;
      const obj = JSON.parse(await readFile(join(dir, meta), 'utf8')) as ObjectMetadata;
      const seen = newest.get(obj.name);
      if (!seen || BigInt(obj.generation) > BigInt(seen.obj.generation)) newest.set(obj.name, { obj, meta, data });
    }
    this.byBucket.set(bucket, new Map());
    const keep = new Set<string>();
    for (const { obj, meta, data } of newest.values()) {
      this.index(obj);
      keep.add(meta).add(data);
      this.lastGeneration = Math.max(this.lastGeneration, Number(obj.generation));
    }
    for (const file of files) {
      if (!keep.has(file)) await rm(join(dir, file), { force: true });
    }
  }

  /** Microseconds since the epoch, like Cloud Storage, and strictly increasing. */
  private nextGeneration(): string {
    this.lastGeneration = Math.max(Date.now() * 1000, this.lastGeneration + 1);
    return String(this.lastGeneration);
  }
}

function utf8Compare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
