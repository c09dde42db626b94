import type { RunningChecksums } from './checksums';

/** Resumable uploads persist whole 256 KiB units until the last chunk (GCS-RESUMABLE.md §2). */
export const UPLOAD_QUANTUM = 256 * 1024;

/** Feeds a session's checksums only with bytes that are sure to stay: whole quanta as
 * they complete, and the unaligned tail once the upload is known to end there. Until
 * then the tail is held back, so dropping it (an aborted or non-final chunk) leaves the
 * checksums matching exactly the persisted prefix. The tail is under one quantum plus
 * one network read. */
export class AlignedHasher {
  private tail: Buffer[] = [];
  private tailBytes = 0;

  /** The first accepted byte must sit on a quantum boundary, as a session's persisted offset always does. */
  constructor(private readonly sums: RunningChecksums) {}

  accept(bytes: Buffer): void {
    this.tail.push(bytes);
    this.tailBytes += bytes.length;
    if (this.tailBytes >= UPLOAD_QUANTUM) this.hash(this.tailBytes - (this.tailBytes % UPLOAD_QUANTUM));
  }

  /** The upload ends here: the tail counts. */
  keepTail(): void {
    this.hash(this.tailBytes);
  }

  /** The upload goes on later: forget the unaligned tail; answers how many bytes that was. */
  dropTail(): number {
    const dropped = this.tailBytes;
    this.tail = [];
    this.tailBytes = 0;
    return dropped;
  }

  private hash(count: number): void {
    let left = count;
    while (left > 0) {
      const head = this.tail[0];
      if (head.length <= left) {
        this.sums.update(head);
        this.tail.shift();
        left -= head.length;
      } else {
        this.sums.update(head.subarray(0, left));
        this.tail[0] = head.subarray(left);
        left = 0;
      }
    }
    this.tailBytes -= count;
  }
}
