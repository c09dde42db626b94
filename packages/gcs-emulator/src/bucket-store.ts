import { readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from './atomic-json';
import type { DataLayout } from './data-layout';
import { badRequest, conflict } from './errors';

export interface StoredBucket {
  name: string;
  project: string;
  timeCreated: string;
}

// Cloud Storage's naming rule (3-63 characters); it also keeps names safe as file names.
const BUCKET_NAME = /^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/;

/** Buckets: one JSON file each, loaded at start. */
export class BucketStore {
  private readonly buckets = new Map<string, StoredBucket>();

  private constructor(private readonly layout: DataLayout) {}

  static async open(layout: DataLayout): Promise<BucketStore> {
    const store = new BucketStore(layout);
    for (const file of await readdir(layout.buckets)) {
      if (!file.endsWith('.json')) continue;
      const bucket = JSON.parse(await readFile(join(layout.buckets, file), 'utf8')) as StoredBucket;
      store.buckets.set(bucket.name, bucket);
    }
    return store;
  }

  get(name: string): StoredBucket | undefined {
    return this.buckets.get(name);
  }

  all(): StoredBucket[] {
    return [...this.buckets.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  async create(name: unknown, project: string): Promise<StoredBucket> {
    if (typeof name !== 'string' || !BUCKET_NAME.test(name)) throw badRequest(`Invalid bucket name: ${JSON.stringify(name)}`);
    if (this.buckets.has(name)) {
      throw conflict('Your previous request to create the named bucket succeeded and you already own it.');
    }
    const bucket: StoredBucket = { name, project, timeCreated: new Date().toISOString() };
    await writeJsonAtomic(this.layout.bucketFile(name), bucket);
    this.buckets.set(name, bucket);
    return bucket;
  }

  async remove(name: string): Promise<void> {
    this.buckets.delete(name);
    await unlink(this.layout.bucketFile(name));
  }
}

/** The JSON API's bucket resource (`storage#bucket`). */
export function bucketResource(bucket: StoredBucket, base: string): Record<string, unknown> {
  return {
    kind: 'storage#bucket',
    id: bucket.name,
    selfLink: `${base}/storage/v1/b/${bucket.name}`,
    name: bucket.name,
    projectNumber: '0',
    metageneration: '1',
    location: 'US',
    locationType: 'multi-region',
    storageClass: 'STANDARD',
    etag: 'CAE=',
    timeCreated: bucket.timeCreated,
    updated: bucket.timeCreated,
    iamConfiguration: {
      uniformBucketLevelAccess: { enabled: true },
      publicAccessPrevention: 'inherited',
    },
  };
}
