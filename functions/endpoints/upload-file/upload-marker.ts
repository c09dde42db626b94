import type { BackgroundWork } from '../../domain/background-work';
import type { DirectUpload, FileRecords, MarkerVersion, ObjectStore } from '../../domain/ports';
import { ApiError } from '../../errors/api-error';

/**
 * A direct upload's marker (docs/DIRECT-UPLOAD.md, "A function that dies
 * before the record"): it exists exactly while the object may exist without
 * a record, so the sweep can find and remove what a dead function left.
 * Written while the bytes stream, off the critical path.
 */
export class UploadMarker {
  private readonly written: Promise<MarkerVersion>;

  constructor(
    private readonly records: FileRecords,
    readonly upload: DirectUpload,
  ) {
    this.written = records.markDirectUpload(upload);
    // Awaited by `before` and `discard`; a failure is theirs to report, never unhandled.
    this.written.catch(() => undefined);
  }

  /**
   * The bytes, ending only once the marker is durable: storage makes the
   * object only when its source ends (ObjectWriter.write), so no object can
   * exist without its marker. A marker that failed fails the write.
   */
  async *before(bytes: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
    yield* bytes;
    await this.written;
  }

  /** The marker's version, for the record's commit to delete it. */
  version(): Promise<MarkerVersion> {
    return this.written;
  }

  /**
   * The object removed, then the marker; a removal that fails leaves the
   * marker, so the sweep removes the object later. Reported, never thrown.
   */
  discard(objects: ObjectStore, background: BackgroundWork): Promise<void> {
    const { organizationId, fileId, objectName } = this.upload;
    const work = async () => {
      // A marker still being written would outlive a delete sent before it lands.
      await this.written.catch(() => undefined);
      await objects.remove(objectName);
      await this.records.removeDirectUpload(organizationId, fileId);
    };
    return background.add('remove refused direct upload', work());
  }
}

/** The sweep took the marker (the request outlived the longest a request lives): nothing was kept. */
export const uploadSwept = () =>
  new ApiError(
    503,
    'SERVICE_UNAVAILABLE',
    'The upload took longer than a request may take; nothing was kept: send it again',
    {},
    {
      'Retry-After': '1',
    },
  );
