import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CompletionDeps } from '../domain/complete-upload';
import { invalidJson, methodNotAllowed } from '../errors/api-error';
import type { BodyRequest } from '../http/body-layer';
import { parseContentType, parseJson } from '../http/json-body';
import { publicError } from '../http/public-error';
import { requestContext } from '../http/request-context';
import { logEvent } from '../http/request-log';
import { sendError, sendNoContent } from '../http/respond';
import { parseGcsPath } from '../domain/object-name';
import { relaySoon, type PromptRelay } from '../webhooks/prompt-relay';
import { onObjectFinalized } from './finalize';
import { parseFinalizedEvent } from './finalized-event';

/**
 * The finalize event's HTTP entry. Registered as an HTTP function rather than
 * a framework CloudEvent one, because the framework answers a CloudEvent
 * function's failure with 500, its raw error text, and a stack trace on
 * stderr: here a bad event is a 400 in the envelope at once, an outage a 503
 * (Eventarc retries), and every line goes through the redacting logger.
 * The events a completion commits are relayed right away (`prompt`).
 */
export function createFinalizeTrigger(deps: CompletionDeps & { bucket: string; prompt?: PromptRelay }, projectId?: string) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const ctx = requestContext(req, projectId);
    try {
      if (req.method !== 'POST') throw methodNotAllowed(['POST']);
      const raw = (req as BodyRequest).rawBody ?? Buffer.alloc(0);
      if (raw.length === 0) throw invalidJson('Request body must be a CloudEvent');
      const event = parseFinalizedEvent(req.headers, parseJson(raw, parseContentType(req.headers['content-type'])));
      const outcome = await onObjectFinalized(deps, event.object);
      logEvent('INFO', `finalize ${outcome}`, undefined, { event_id: event.id, trace_id: ctx.traceId });
      // A completion commits its file event: relayed now, as the files function does after a change.
      const issued = event.object.bucket === deps.bucket ? parseGcsPath(event.object.name) : undefined;
      if (issued) relaySoon(deps.prompt, issued.organizationId);
      sendNoContent(req, res, ctx);
    } catch (error) {
      sendError(req, res, ctx, publicError(error, ctx.traceId));
    }
  };
}
