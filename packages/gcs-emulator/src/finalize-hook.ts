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
      'ce-subject': `objects/${obj.name}`,
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
