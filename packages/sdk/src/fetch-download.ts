import { crc32cHasher, type Crc32cHasher } from './crc32c.js';
import { StorageError } from './errors.js';
import { progressMeter, type Progress } from './progress.js';
import { backoffDelay, isTransientStatus, sleep, startDeadline, type RetryPolicy } from './retry.js';

export interface ByteSink {
  write(bytes: Uint8Array): Promise<void>;
}

export interface DownloadPlan {
  /** a fresh signed URL each call (they are short-lived) */
  url: () => Promise<string>;
  size: number;
  /** base64 CRC32C the bytes must have, when the file has one */
  crc32c: string | null;
  /** bytes already in the sink (a resumed download), and a hasher that has seen them */
  startAt: number;
  hasher?: Crc32cHasher;
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
}

/**
 * Streams an object into `sink` from a signed URL. A dropped or stalled
 * connection goes on from the last byte written (`Range`); a refused URL
 * (expired while we waited) is replaced by a fresh one. The bytes are
 * checked against the file's CRC32C at the end.
 */
export async function downloadInto(
  transport: { fetch: typeof fetch; retry: RetryPolicy; timeoutMs: number },
  sink: ByteSink,
  plan: DownloadPlan,
): Promise<void> {
  const hasher = plan.hasher ?? (await crc32cHasher());
  const progress = progressMeter(plan.size, plan.onProgress);
  let offset = plan.startAt;
  let failures = 0;
  let url = await plan.url();
  let refusedFresh = false;

  while (offset < plan.size) {
    plan.signal?.throwIfAborted();
    // A deadline on silence, not on the whole transfer: each piece received pushes it back.
    const stall = startDeadline(plan.signal, transport.timeoutMs);
    try {
      const response = await transport.fetch(url, { headers: offset > 0 ? { Range: `bytes=${offset}-` } : {}, signal: stall.signal });
      if (response.status === 403 || response.status === 401) {
        await response.body?.cancel();
        // An expired URL: one fresh one. Refused fresh too: tampered, or not ours.
        if (refusedFresh)
          throw new StorageError('DOWNLOAD_REFUSED', `storage refused the download URL (${response.status})`, response.status);
        refusedFresh = true;
        url = await plan.url();
        continue;
      }
      if (response.status === 404) throw new StorageError('DOWNLOAD_REFUSED', 'the object is gone from storage', 404);
      if (isTransientStatus(response.status)) {
        await response.body?.cancel();
        throw new Error(`storage answered ${response.status}`);
      }
      if (response.status !== 200 && response.status !== 206) {
        throw new StorageError('REJECTED', `storage answered ${response.status} to a download`, response.status);
      }
      refusedFresh = false;
      // A server that ignored Range sends everything again: skip what we have.
      let skip = response.status === 200 ? offset : 0;
      const reader = response.body!.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        stall.extend();
        let piece = value;
        if (skip > 0) {
          const dropped = Math.min(skip, piece.length);
          piece = piece.subarray(dropped);
          skip -= dropped;
        }
        if (piece.length === 0) continue;
        if (offset + piece.length > plan.size) throw new StorageError('REJECTED', 'storage sent more bytes than the file has');
        await sink.write(piece);
        hasher.update(piece);
        offset += piece.length;
        failures = 0;
        progress(offset);
      }
      if (offset < plan.size) throw new Error('the download ended early');
    } catch (error) {
      if (error instanceof StorageError) throw error;
      if (plan.signal?.aborted) throw plan.signal.reason;
      failures++;
      if (failures > transport.retry.retries) {
        throw new StorageError(
          'RETRIES_EXHAUSTED',
          `the download failed ${failures} times in a row: ${(error as Error).message}`,
          undefined,
          { cause: error },
        );
      }
      await sleep(backoffDelay(transport.retry, failures - 1), plan.signal);
    } finally {
      stall.clear();
    }
  }
  const actual = hasher.digest();
  if (plan.crc32c && actual !== plan.crc32c) {
    throw new StorageError('CHECKSUM_MISMATCH', `the downloaded bytes have CRC32C ${actual}, the file ${plan.crc32c}`);
  }
}
