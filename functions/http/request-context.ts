import type { IncomingMessage } from 'node:http';
import type { ResponseContext } from './respond';
import { traceIdOf } from './trace';

const contexts = new WeakMap<IncomingMessage, ResponseContext>();

/** The request's trace id and start time, made once and shared by every layer that answers or logs. */
export function requestContext(req: IncomingMessage, projectId?: string): ResponseContext {
  let ctx = contexts.get(req);
  if (!ctx) {
    ctx = { traceId: traceIdOf(req.headers), startedAt: process.hrtime.bigint(), projectId };
    contexts.set(req, ctx);
  }
  return ctx;
}
