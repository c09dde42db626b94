import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config';
import type { BackgroundWork } from '../domain/background-work';
import type { Caller } from '../domain/caller';
import type { Directory, DownloadSigner, EventFeed, FileRecords, ObjectStore, ObjectWriter, Quotas, UploadSessions } from '../domain/ports';
import { OPERATIONS, type HandlerName, type Operation } from '../generated/operations';
import { Authenticator } from './authenticate';
import { clientAddress } from './client-address';
import { FailureLimiter } from './failure-limit';
import { restoreBodyFraming, type BodyRequest } from './body-layer';
import { applyCors } from './cors';
import { endpoints, type Endpoint, type Endpoints } from './dispatch';
import { publicError } from './public-error';
import { RateLimiter } from './rate-limit';
import { requestContext } from './request-context';
import { sendError, sendJson, sendNoContent } from './respond';
import { createRouter } from './router';
import type { WebhookEndpointsDeps } from '../endpoints/webhooks';

export interface FilesApiDeps {
  config: Config;
  directory: Directory;
  records: FileRecords;
  /** The events the records' writes made (the outbox), read back by the feed. */
  events: EventFeed;
  sessions: UploadSessions;
  objects: ObjectStore & ObjectWriter;
  quotas: Quotas;
  signer: DownloadSigner;
  now?: () => number;
  /** Where work left running after an answer is tracked (a fresh one, logging failures, when absent). */
  background?: BackgroundWork;
  /** Webhook endpoints' management; the webhook operations are not served without it. */
  webhooks?: WebhookEndpointsDeps;
  /** After a change's answer: relays the organization's pending events to webhooks (webhooks/relay.ts). */
  afterChange?: (organizationId: string) => Promise<unknown>;
}

/** Whether a request goes to an operation whose body its endpoint streams (see body-layer.ts). */
export function streamsBody(method: string, url: string): boolean {
  try {
    return streamingRouter.route(method, url).operation.streamsBody === true;
  } catch {
    return false;
  }
}
const streamingRouter = createRouter(OPERATIONS.filter((op) => op.streamsBody));

/** The contract's operations that have an endpoint: the ones the API serves. */
export function servedOperations(byHandler: Endpoints): readonly Operation[] {
  return OPERATIONS.filter((op) => byHandler[op.handler] !== undefined);
}

/**
 * The files API as one HTTP handler: route, authenticate, authorize, then the
 * operation's endpoint. Everything up to the endpoint runs synchronously when
 * the caller's key and membership are cached: each promise a request makes
 * also runs functions-framework's per-request domain hooks, so the hot path
 * makes only those its endpoint needs.
 */
export function createFilesApi(deps: FilesApiDeps): (req: IncomingMessage, res: ServerResponse) => Promise<void> | void {
  const auth = new Authenticator(deps.directory, deps.config.authCacheTtlMs, deps.now);
  const limiter = new RateLimiter(deps.config.rateLimits, deps.now);
  const failures = new FailureLimiter(deps.config.rateLimits.failuresPerAddress, deps.now);
  const byHandler = endpoints(deps);
  const router = createRouter(servedOperations(byHandler));
  const background = deps.background;
  const afterChange = deps.afterChange;
  // A change's event is committed with it; relaying it right after the answer makes webhooks prompt
  // (the scheduled catch-up relays what this misses). Reads change nothing and skip it.
  const relayAfter = (method: string | undefined, organizationId: string | undefined) => {
    if (afterChange && background && organizationId && method !== 'GET' && method !== 'HEAD') {
      void background.add('relay events', afterChange(organizationId));
    }
  };

  return (req, res) => {
    restoreBodyFraming(req);
    const ctx = requestContext(req, deps.config.projectId);
    if (applyCors(req, res, deps.config.corsAllowedOrigins)) return sendNoContent(req, res, ctx);
    const fail = (error: unknown) => {
      // A body refused before it was all read (a direct upload): the rest is not waited for.
      if (!req.complete && !res.headersSent) res.setHeader('Connection', 'close');
      sendError(req, res, ctx, publicError(error, ctx.traceId));
    };
    const send = (answer: EndpointAnswer) => {
      relayAfter(req.method, ctx.organizationId);
      try {
        ctx.fileId = answer.fileId ?? ctx.fileId;
        if (answer.body === undefined) sendNoContent(req, res, ctx);
        else sendJson(req, res, ctx, answer.status, answer.body);
      } catch (error) {
        fail(error);
      }
    };
    try {
      const { operation, params } = router.route(req.method ?? 'GET', req.url ?? '/');
      const organizationId = params.organization_id as string;
      ctx.organizationId = organizationId;
      ctx.fileId = params.file_id;
      const endpoint = byHandler[operation.handler] as Endpoint<HandlerName>;
      const serve = (caller: Caller) => {
        limiter.check(caller, organizationId);
        return endpoint({ req: req as BodyRequest, params, organizationId, caller });
      };
      // Failed authentications and authorizations count against the client's address (failure-limit.ts).
      const address = clientAddress(req, deps.config.trustedProxyHops);
      const refusal = failures.refusal(address);
      const counted = (error: unknown) => {
        failures.recordIfFailure(address, error);
        return error;
      };
      const refused = (error: unknown) => Promise.reject(counted(error));
      const admit = (caller: Caller) => {
        let authorized: void | Promise<void>;
        try {
          authorized = auth.authorize(caller, organizationId, refusal);
        } catch (error) {
          throw counted(error);
        }
        return authorized instanceof Promise ? authorized.then(() => serve(caller), refused) : serve(caller);
      };
      let caller: Caller | Promise<Caller>;
      try {
        caller = auth.authenticate(req.headers, refusal);
      } catch (error) {
        throw counted(error);
      }
      const answer = caller instanceof Promise ? caller.then(admit, refused) : admit(caller);
      return answer.then(send, fail);
    } catch (error) {
      fail(error);
    }
  };
}

type EndpointAnswer = Awaited<ReturnType<Endpoint<HandlerName>>>;
