import type { IncomingMessage, ServerResponse } from 'node:http';
import { sweepExpired, type SweepDeps } from './sweep';
import { methodNotAllowed } from '../errors/api-error';
import { publicError } from '../http/public-error';
import { requestContext } from '../http/request-context';
import { sendError, sendJson } from '../http/respond';
import { relaySoon, type PromptRelay } from '../webhooks/prompt-relay';

/**
 * The sweeper as an HTTP function, for Cloud Scheduler (deploy it without public access).
 * The events its changes commit, across organizations, are relayed right away (`prompt`).
 */
export function createSweepEndpoint(deps: SweepDeps & { prompt?: PromptRelay }, projectId?: string) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const ctx = requestContext(req, projectId);
    try {
      if (req.method !== 'POST') throw methodNotAllowed(['POST']);
      const report = await sweepExpired(deps);
      // Cleaning leftovers keeps a file's status, so writes no event.
      if (report.expired + report.completed + report.abandoned > 0) relaySoon(deps.prompt);
      sendJson(req, res, ctx, 200, report);
    } catch (error) {
      sendError(req, res, ctx, publicError(error, ctx.traceId));
    }
  };
}
