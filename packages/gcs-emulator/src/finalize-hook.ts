import { randomUUID } from 'node:crypto';
import { warn } from './log';
import { objectResource } from './object-resource';
import type { ObjectMetadata } from './object-metadata';

const TIMEOUT_MS = 2000;

/** Posts a `google.cloud.storage.object.v1.finalized` CloudEvent (binary mode) to `url`,
 * like Eventarc would; fire-and-forget, a failure is only a warning. */
export function postFinalizedEvent(url: string, obj: ObjectMetadata, base: string): void {
  fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'ce-specversion': '1.0',
      'ce-type': 'google.cloud.storage.object.v1.finalized',
      'ce-source': `//storage.googleapis.com/projects/_/buckets/${obj.bucket}`,
      'ce-subject': cloudEventHeaderValue(`objects/${obj.name}`),
      'ce-id': randomUUID(),
      'ce-time': obj.updated,
    },
    body: JSON.stringify(objectResource(obj, base)),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  }).then(
    (res) => {
      if (!res.ok) warn(`finalize hook ${url} answered ${res.status} for gs://${obj.bucket}/${obj.name}`);
      return res.body?.cancel();
    },
    (err: Error) => warn(`finalize hook ${url} failed for gs://${obj.bucket}/${obj.name}: ${err.message}`),
  );
}

/**
 * An attribute as a binary-mode header value, as the CloudEvents HTTP binding
 * (3.1.3.2, "HTTP Header Values") says: space, `"`, `%` and everything outside
 * printable ASCII percent-encoded as UTF-8, upper-case hex. Header values are
 * bytes: `fetch` refuses a character above U+00FF outright (the event for
 * `漢字.mp4` was never sent) and would send Latin-1 ones as raw bytes.
 */
export function cloudEventHeaderValue(value: string): string {
  return value.replace(/[^\x21\x23\x24\x26-\x7e]/gu, (c) =>
    Array.from(Buffer.from(c), (byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
}
