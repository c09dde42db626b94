import type { IncomingMessage, ServerResponse } from 'node:http';
import { methodNotAllowed } from '../errors/api-error';
import { publicError } from '../http/public-error';
import type { BodyRequest } from '../http/body-layer';
import { requestContext } from '../http/request-context';
import { sendError, sendJson, sendNoContent } from '../http/respond';
import { logBackgroundError } from '../http/request-log';
import { deliverOnce, type DeliveryDeps } from './deliver';
import { relayPending, type RelayDeps } from './relay';
import type { DeliveryMessage } from './webhook-store';

/**
 * The push subscription's endpoint (deploy it without public access; the push
 * service account alone may invoke it). A 2xx acknowledges the message; any
 * other answer makes Pub/Sub send it again after the subscription's backoff.
 */
export function createDeliveryEndpoint(deps: DeliveryDeps, projectId?: string) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const ctx = requestContext(req, projectId);
    try {
      if (req.method !== 'POST') throw methodNotAllowed(['POST']);
      const message = pushedMessage(bodyOf(req as BodyRequest));
      // A message that names no delivery can never succeed: acknowledged, and logged.
      if (!message) {
        logBackgroundError('webhook delivery', new Error('a pushed message without organization_id, event_id and endpoint_id'));
        return sendNoContent(req, res, ctx);
      }
      const result = await deliverOnce(deps, message);
      if (result === 'done') return sendNoContent(req, res, ctx);
      sendJson(req, res, ctx, 503, { retry: true });
    } catch (error) {
      sendError(req, res, ctx, publicError(error, ctx.traceId));
    }
  };
}

/** The scheduled catch-up (Cloud Scheduler, every minute): relays every event still pending. */
export function createRelayEndpoint(deps: RelayDeps, projectId?: string) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const ctx = requestContext(req, projectId);
    try {
      if (req.method !== 'POST') throw methodNotAllowed(['POST']);
      sendJson(req, res, ctx, 200, { relayed: await relayPending(deps) });
    } catch (error) {
      sendError(req, res, ctx, publicError(error, ctx.traceId));
    }
  };
}

/** The body the body layer read (http/body-layer.ts), as JSON; undefined when it is not. */
function bodyOf(req: BodyRequest): unknown {
  try {
    return JSON.parse((req.rawBody ?? Buffer.alloc(0)).toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Pub/Sub's push body: `{message: {attributes, data, messageId}, subscription}`. */
function pushedMessage(body: unknown): DeliveryMessage | undefined {
  const attributes = (body as { message?: { attributes?: Record<string, unknown> } } | undefined)?.message?.attributes;
  const { organization_id, event_id, endpoint_id } = attributes ?? {};
  if (typeof organization_id !== 'string' || typeof event_id !== 'string' || typeof endpoint_id !== 'string') return undefined;
  return { organization_id, event_id, endpoint_id };
}
