import type { IncomingMessage, ServerResponse } from 'node:http';
import { sweepExpired, type SweepDeps } from './sweep';
import { methodNotAllowed } from '../errors/api-error';
import { publicError } from '../http/public-error';
import { requestContext } from '../http/request-context';
import { sendError, sendJson } from '../http/respond';

/** The sweeper as an HTTP function, for Cloud Scheduler (deploy it without public access). */
export function createSweepEndpoint(deps: SweepDeps, projectId?: string) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const ctx = requestContext(req, projectId);
    try {
      if (req.method !== 'POST') throw methodNotAllowed(['POST']);
      sendJson(req, res, ctx, 200, await sweepExpired(deps));
    } catch (error) {
      sendError(req, res, ctx, publicError(error, ctx.traceId));
    }
  };
}
