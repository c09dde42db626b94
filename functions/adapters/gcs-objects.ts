import type { Bucket } from '@google-cloud/storage';
import type { ObjectStore, StoredObject } from '../domain/ports';
import { withDeadline } from './deadline';

/** Object metadata, first bytes and deletion on one bucket. */
export class GcsObjects implements ObjectStore {
  constructor(
    private readonly bucket: Bucket,
    private readonly timeoutMs: number,
  ) {}

  stat(objectName: string): Promise<StoredObject | null> {
    return withDeadline('storage', this.timeoutMs, async () => {
      try {
        const [m] = await this.bucket.file(objectName).getMetadata();
        return {
          name: objectName,
          generation: String(m.generation),
          size: Number(m.size),
          contentType: m.contentType ?? '',
          crc32c: m.crc32c,
          md5Hash: m.md5Hash,
          metadata: Object.fromEntries(Object.entries(m.metadata ?? {}).map(([k, v]) => [k, String(v)])),
        };
      } catch (error) {
        if ((error as { code?: number }).code === 404) return null;
        throw error;
      }
    });
  }

  readHead(objectName: string, generation: string, bytes: number): Promise<Buffer | null> {
    return withDeadline('storage', this.timeoutMs, async () => {
      try {
        const [head] = await this.bucket
          .file(objectName, { generation: Number(generation) })
          .download({ start: 0, end: bytes - 1, validation: false });
        return head;
      } catch (error) {
        // Removed since it was seen (a DELETE cancelling the upload, a failed verification).
        if ((error as { code?: number }).code === 404) return null;
        throw error;
      }
    });
  }

  remove(objectName: string, generation?: string): Promise<void> {
    return withDeadline('storage', this.timeoutMs, async () => {
      try {
        await this.bucket.file(objectName).delete(generation ? { ifGenerationMatch: Number(generation) } : {});
      } catch (error) {
        // Gone already, or replaced by a newer generation that is not ours to remove.
        const code = (error as { code?: number }).code;
        if (code !== 404 && code !== 412) throw error;
      }
    });
  }
}
