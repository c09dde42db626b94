import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorState } from './emulator-state';
import { notFound } from './errors';
import type { StoredBucket } from './bucket-store';

/** One request as the routes see it. */
export interface RouteContext {
  state: EmulatorState;
  req: IncomingMessage;
  res: ServerResponse;
  query: URLSearchParams;
  /** The emulator's URL as this client addressed it (for Location, selfLink, mediaLink). */
  base: string;
}

export function requireBucket(ctx: RouteContext, name: string): StoredBucket {
  const bucket = ctx.state.buckets.get(name);
  if (!bucket) throw notFound(`The specified bucket does not exist: ${name}`);
  return bucket;
}
