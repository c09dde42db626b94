import type { ByteSource } from './byte-source.js';
import { chunkReader } from './chunk-reader.js';
import { StorageError } from './errors.js';
import { progressMeter, type Progress } from './progress.js';
import { putOnSession, TransientFailure, type SessionAnswer, type SessionTransport } from './resumable-session.js';
import { backoffDelay, sleep, type RetryPolicy } from './retry.js';

/** Cloud Storage takes chunks in multiples of this (all but the last). */
export const CHUNK_GRANULE = 256 * 1024;

export interface SendOptions {
  chunkSize: number;
  /** what the session already has; undefined asks it first (a resumed upload) */
  startAt?: number;
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
}

/**
 * Fills a resumable session from `source`. After any failure it asks the
 * session what it has and goes on from there, so a dropped connection or a
 * storage restart costs at most one chunk. Transient failures (and answers
 * that make no progress) are retried with backoff; the budget resets
 * whenever bytes are confirmed.
 */
export async function sendBytes(
  transport: SessionTransport & { retry: RetryPolicy },
  uri: string,
  source: ByteSource,
  options: SendOptions,
): Promise<void> {
  const total = source.size;
  const chunkSize = Math.max(CHUNK_GRANULE, Math.floor(options.chunkSize / CHUNK_GRANULE) * CHUNK_GRANULE);
  const progress = progressMeter(total, options.onProgress);
  let offset: number | undefined = options.startAt;
  let failures = 0;
  const chunks = chunkReader(source, chunkSize);

  for (;;) {
    options.signal?.throwIfAborted();
    let answer: SessionAnswer;
    const before = offset;
    try {
      if (offset === undefined) {
        answer = await putOnSession(transport, uri, total, 0, undefined, options.signal);
      } else {
        const end = Math.min(total, offset + chunkSize);
        const bytes = await chunks.read(offset, end);
        // Read the next chunk while this one travels (a stream can only re-read its last read, so not there).
        if (source.seekable && end < total) chunks.readAhead(end, Math.min(total, end + chunkSize));
        answer = await putOnSession(transport, uri, total, offset, bytes, options.signal);
      }
    } catch (error) {
      if (!(error instanceof TransientFailure)) throw error;
      failures++;
      if (failures > transport.retry.retries) {
        throw new StorageError('RETRIES_EXHAUSTED', `the upload failed ${failures} times in a row: ${error.message}`, undefined, {
          cause: error,
        });
      }
      offset = undefined;
      await sleep(backoffDelay(transport.retry, failures - 1, error.retryAfterSeconds), options.signal);
      continue;
    }
    if (answer.done) {
      progress(total);
      return;
    }
    offset = answer.persisted;
    if (before === undefined || offset > before) {
      // A status query tells where to go on; a chunk that moved the offset resets the budget.
      if (before !== undefined) failures = 0;
      progress(offset);
      continue;
    }
    // A 308 that confirmed nothing new: the session did not keep the chunk.
    failures++;
    if (failures > transport.retry.retries) {
      throw new StorageError('RETRIES_EXHAUSTED', `the upload session kept no bytes after ${failures} tries`);
    }
    await sleep(backoffDelay(transport.retry, failures - 1), options.signal);
  }
}
