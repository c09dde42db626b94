import type { FileHandle } from 'node:fs/promises';
import { Writable } from 'node:stream';
import type { AlignedHasher } from './aligned-hasher';
import { GcsError } from './errors';

export interface PartFileSinkOptions {
  file: FileHandle;
  /** Where the first new byte goes (the session's persisted offset). */
  position: number;
  /** Leading body bytes the server already has (a resend); they are dropped. */
  skip: number;
  /** Most body bytes the request may carry; one more is refused with `overflow`. */
  limit: number;
  overflow: () => GcsError;
  hasher: AlignedHasher;
}

/** Body bytes gathered into one write: a network read is 64 KiB, and a write per read
 * costs a thread-pool round trip each. */
const WRITE_BATCH = 512 << 10;

/** How many written bytes start a background flush to disk while the body still
 * arrives, so the sync before the answer finds less left to do. Each sync costs the
 * disk a few ms whatever it flushes (a journal commit), so there are few: one for an
 * 8 MiB chunk, and none when the body's end, and its own sync, is under half that away. */
const FLUSH_EVERY = 4 << 20;

/** Appends a request body to a session's part file with backpressure, so memory stays
 * flat whatever the chunk size, in writes of ~512 KiB. Ending it writes what it holds;
 * destroying it drops that and waits for the write in flight, so after `settled()` the
 * file holds exactly `appended` new bytes. Every few MiB it starts a `fdatasync` in
 * the background, so the disk writes while the network reads; the caller still syncs
 * before it acknowledges anything. */
export class PartFileSink extends Writable {
  /** Bytes written to the file by this request. */
  appended = 0;
  private bodyBytes = 0;
  private inFlight: Promise<void> = Promise.resolve();
  private batch: Buffer[] = [];
  private batchBytes = 0;
  private flushing: Promise<void> | undefined;
  private flushedUpTo = 0;
  /** A failed background flush: Linux reports a writeback error to one sync only, so it
   * must fail this request rather than be left for the next sync to miss. */
  private flushError: Error | undefined;

  constructor(private readonly opts: PartFileSinkOptions) {
    super({ highWaterMark: 1 << 20 });
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, callback: (error?: Error | null) => void): void {
    let refusal: GcsError | undefined;
    for (const { chunk } of chunks) {
      // Bytes up to the limit still count; the first byte past it refuses the request.
      const room = this.opts.limit - this.bodyBytes;
      const allowed = chunk.length > room ? chunk.subarray(0, room) : chunk;
      this.bodyBytes += allowed.length;
      const skipped = Math.min(this.opts.skip, allowed.length);
      this.opts.skip -= skipped;
      if (skipped < allowed.length) {
        this.batch.push(allowed.subarray(skipped));
        this.batchBytes += allowed.length - skipped;
      }
      if (allowed !== chunk) {
        refusal = this.opts.overflow();
        break;
      }
    }
    if (this.batchBytes < WRITE_BATCH && !refusal) return callback();
    this.writeBatch((err) => callback(err ?? refusal));
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this._writev([{ chunk }], callback);
  }

  /** The body ends once its last bytes are written and its background flushes are
   * done: a failed one refuses it. */
  override _final(callback: (error?: Error | null) => void): void {
    const done = (error?: Error | null) => {
      if (error) return callback(error);
      this.settled().then(
        () => callback(),
        (err: Error) => callback(err),
      );
    };
    if (this.batchBytes > 0) this.writeBatch(done);
    else done();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.settled().then(
      () => callback(error),
      () => callback(error),
    );
  }

  /** Resolves once no write or background flush is in flight any more; rejects if a
   * background flush failed (the bytes written may not reach the disk). */
  async settled(): Promise<void> {
    await this.inFlight.catch(() => undefined);
    while (this.flushing) await this.flushing;
    if (this.flushError) throw this.flushError;
  }

  /** Writes the gathered bytes. The write goes to the thread pool first, so the kernel
   * copies them while this thread hashes them. */
  private writeBatch(callback: (error?: Error | null) => void): void {
    const pieces = this.batch;
    this.batch = [];
    this.batchBytes = 0;
    this.inFlight = this.writeAll(pieces).then(
      () => {
        this.flushInBackground();
        callback(this.flushError);
      },
      (err: Error) => callback(err),
    );
    for (const piece of pieces) this.opts.hasher.accept(piece);
  }

  private flushInBackground(): void {
    const nearEnd = this.opts.limit - this.bodyBytes < FLUSH_EVERY / 2;
    if (this.flushing || nearEnd || this.appended - this.flushedUpTo < FLUSH_EVERY) return;
    this.flushedUpTo = this.appended;
    this.flushing = this.opts.file.datasync().then(
      () => {
        this.flushing = undefined;
        this.flushInBackground();
      },
      (err: Error) => {
        this.flushing = undefined;
        this.flushError = err;
      },
    );
  }

  private async writeAll(pieces: Buffer[]): Promise<void> {
    let left = pieces;
    while (left.length > 0) {
      const { bytesWritten } = await this.opts.file.writev(left, this.opts.position + this.appended);
      this.appended += bytesWritten;
      left = dropBytes(left, bytesWritten);
    }
  }
}

function dropBytes(pieces: Buffer[], count: number): Buffer[] {
  const rest: Buffer[] = [];
  let left = count;
  for (const piece of pieces) {
    if (left >= piece.length) {
      left -= piece.length;
    } else {
      rest.push(left > 0 ? piece.subarray(left) : piece);
      left = 0;
    }
  }
  return rest;
}
