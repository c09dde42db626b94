import { createHash } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** Where everything lives under the data dir. Object files are named by a hash of
 * the object name, because names may hold `/`, unicode and up to 1024 bytes. */
export class DataLayout {
  readonly buckets: string;
  readonly objects: string;
  readonly sessions: string;
  readonly scratch: string;

  constructor(readonly root: string) {
    this.buckets = join(root, 'buckets');
    this.objects = join(root, 'objects');
    this.sessions = join(root, 'sessions');
    this.scratch = join(root, 'tmp');
  }

  /** Creates the directories, its owner's alone (sessions are capabilities, objects are users' bytes);
   * scratch files left by a previous run are interrupted simple uploads, and go. */
  async create(): Promise<void> {
    await rm(this.scratch, { recursive: true, force: true });
    for (const dir of [this.buckets, this.objects, this.sessions, this.scratch]) await mkdir(dir, { recursive: true, mode: 0o700 });
  }

  bucketFile(bucket: string): string {
    return join(this.buckets, `${bucket}.json`);
  }

  bucketObjects(bucket: string): string {
    return join(this.objects, bucket);
  }

  objectMeta(bucket: string, name: string, generation: string): string {
    return join(this.bucketObjects(bucket), `${nameKey(name)}.${generation}.json`);
  }

  objectData(bucket: string, name: string, generation: string): string {
    return join(this.bucketObjects(bucket), `${nameKey(name)}.${generation}.data`);
  }

  sessionMeta(uploadId: string): string {
    return join(this.sessions, `${uploadId}.json`);
  }

  sessionPart(uploadId: string): string {
    return join(this.sessions, `${uploadId}.part`);
  }
}

function nameKey(name: string): string {
  return createHash('sha256').update(name).digest('hex');
}
