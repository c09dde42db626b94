import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

const CLOUD_TRACE = /^([0-9a-f]{32})(?:\/\d+)?(?:;o=\d)?$/i;
const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/i;

/** The request's trace id: from X-Cloud-Trace-Context or traceparent when well-formed, else a new one. */
export function traceIdOf(headers: IncomingHttpHeaders): string {
  const cloud = single(headers['x-cloud-trace-context'])?.match(CLOUD_TRACE);
  if (cloud && !/^0+$/.test(cloud[1])) return cloud[1].toLowerCase();
  const parent = single(headers.traceparent)?.match(TRACEPARENT);
  if (parent && !/^0+$/.test(parent[1])) return parent[1].toLowerCase();
  // randomUUID draws from a buffered pool: one random read per ~128 ids, not one per request.
  return randomUUID().replaceAll('-', '');
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value?.trim();
}
