import type { Bucket, FileMetadata } from '@google-cloud/storage';
import { crc32c } from '@node-rs/crc32';
import { pipeline } from 'node:stream/promises';
import type { NewObject, ObjectStore, ObjectWriter, StoredObject } from '../domain/ports';
import { withDeadline } from './deadline';

// The request's 64 KiB reads are joined into writes of about this size: each write crosses the storage
// client's several stream stages and wakes the storage server, and 16 times fewer of them cost a third
// less CPU in both at 20 MiB (bench/RESULTS.md, "Direct upload at 20 MiB"); one such buffer is held.
const WRITE_BYTES = 1024 * 1024;

/** Object metadata, first bytes, deletion and direct writes on one bucket. */
export class GcsObjects implements ObjectStore, ObjectWriter {
  constructor(
    private readonly bucket: Bucket,
    private readonly timeoutMs: number,
  ) {}

  stat(objectName: string): Promise<StoredObject | null> {
    return withDeadline('storage', this.timeoutMs, async () => {
      try {
        const [m] = await this.bucket.file(objectName).getMetadata();
        return storedObject(objectName, m);
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

  /**
   * One multipart (not resumable) upload, fed as the bytes come: nothing is
   * held whole, and storage makes the object only when the request completes.
   * No deadline: the bytes arrive as fast as the client sends them.
   */
  async write(request: NewObject, bytes: AsyncIterable<Buffer>): Promise<{ object: StoredObject; sentCrc32c: string }> {
    const file = this.bucket.file(request.objectName);
    // Native (SIMD) CRC32C: the storage client's JavaScript one, a byte-by-byte table loop, was most of
    // the function's CPU on a 20 MiB upload (bench/RESULTS.md, "Direct upload at 20 MiB").
    let sent = 0;
    const sink = file.createWriteStream({
      resumable: false,
      // The caller compares storage's CRC32C with `sentCrc32c`; the library's own check would delete the object first.
      validation: false,
      contentType: request.contentType,
      metadata: { contentType: request.contentType, metadata: request.metadata },
      preconditionOpts: { ifGenerationMatch: 0 },
    });
    await pipeline(async function* hashed() {
      let held: Buffer[] = [];
      let heldBytes = 0;
      for await (const chunk of bytes) {
        sent = crc32c(chunk, sent);
        held.push(chunk);
        heldBytes += chunk.length;
        if (heldBytes < WRITE_BYTES) continue;
        yield Buffer.concat(held, heldBytes);
        held = [];
        heldBytes = 0;
      }
      if (heldBytes > 0) yield Buffer.concat(held, heldBytes);
    }, sink);
    return { object: storedObject(request.objectName, file.metadata), sentCrc32c: crc32cBase64(sent) };
  }
}

/** Base64 of the big-endian 4 bytes, as storage reports a CRC32C. */
function crc32cBase64(value: number): string {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value);
  return bytes.toString('base64');
}

function storedObject(name: string, m: FileMetadata): StoredObject {
  return {
    name,
    generation: String(m.generation),
    size: Number(m.size),
    contentType: m.contentType ?? '',
    crc32c: m.crc32c,
    md5Hash: m.md5Hash,
    metadata: Object.fromEntries(Object.entries(m.metadata ?? {}).map(([k, v]) => [k, String(v)])),
  };
}
