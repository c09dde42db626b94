import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { ApiError, internalError, invalidJson, notFound, payloadTooLarge, unsupportedMediaType } from '../errors/api-error';
import { applyCors } from './cors';
import { isJsonMediaType, parseContentType, parseJson } from './json-body';
import { readBody } from './read-body';
import { requestContext } from './request-context';
import { sendError } from './respond';

type Done = (err?: unknown) => void;
type Handle = (this: unknown, req: IncomingMessage, res: ServerResponse, done?: Done) => void;
interface ExpressApplication {
  handle: Handle;
  [INSTALLED]?: true;
}

const INSTALLED = Symbol.for('files-api.body-layer');
// Paths the framework answers itself with an empty 404 before any function
// runs: express mounts them as prefixes, matched in any case.
const FRAMEWORK_SWALLOWED = /^\/(favicon\.ico|robots\.txt)(\/|$)/i;

export interface BodyRequest extends IncomingMessage {
  rawBody?: Buffer;
  body?: unknown;
  /** A streamed body's framing headers, hidden from the framework's parsers (see restoreBodyFraming). */
  [HIDDEN_FRAMING]?: Partial<Record<(typeof FRAMING)[number], string>>;
}

const HIDDEN_FRAMING = Symbol('files-api.hidden-framing');
// What the framework's body parsers (type-is's hasBody) look at to tell a request has a body.
const FRAMING = ['content-length', 'transfer-encoding'] as const;

export interface BodyLayerOptions {
  maxBodyBytes: number;
  projectId?: string;
  corsAllowedOrigins?: ReadonlySet<string>;
  /**
   * Requests whose multipart body the function reads itself, as a stream (a
   * direct upload): neither this layer nor the framework reads it first.
   */
  streamsBody?: (method: string, url: string) => boolean;
}

/**
 * functions-framework parses every body itself before the function runs, up to
 * 1 GB, and answers a malformed one with an HTML stack trace (upstream issue
 * #686, open). There is no hook for it, so this wraps the entry of the express
 * app the framework is about to build: the body is read here, bounded, and
 * parsed strictly (the framework's parsers then skip a request already read),
 * and any error that would reach express's default handler leaves as the
 * envelope. Must run before the framework creates its server, i.e. when the
 * function's module is loaded.
 */
export function installBodyLayer(options: BodyLayerOptions): void {
  const app = frameworkExpressApplication();
  if (app[INSTALLED]) return;
  const frameworkHandle = app.handle;
  app.handle = function handle(req, res, done) {
    // A mounted sub-app has a parent that already did all of this.
    if (done) return frameworkHandle.call(this, req, res, done);
    const ctx = requestContext(req, options.projectId);
    const fail = (error: unknown) => {
      if (error instanceof ApiError && error.status === 413) res.setHeader('Connection', 'close');
      // A page of a listed origin can read this envelope too (a 413 before the API ran, say).
      if (options.corsAllowedOrigins && !res.headersSent) applyCors(req, res, options.corsAllowedOrigins);
      sendError(req, res, ctx, error);
    };
    const path = (req.url ?? '/').split('?')[0];
    // A path that cannot be decoded names no route (express would call it a 400).
    if (FRAMEWORK_SWALLOWED.test(path) || !decodable(path)) return fail(notFound());
    if (options.streamsBody?.(req.method ?? 'GET', req.url ?? '/') && isMultipart(req)) {
      hideBodyFromFramework(req as BodyRequest);
      return frameworkHandle.call(this, req, res, (err?: unknown) =>
        fail(err === undefined ? notFound() : fromFramework(err, options.maxBodyBytes)),
      );
    }
    readBody(
      req,
      options.maxBodyBytes,
      (raw) => {
        try {
          attachBody(req as BodyRequest, raw);
          frameworkHandle.call(this, req, res, (err?: unknown) =>
            fail(err === undefined ? notFound() : fromFramework(err, options.maxBodyBytes)),
          );
        } catch (error) {
          fail(error);
        }
      },
      fail,
    );
  };
  app[INSTALLED] = true;
}

/**
 * `rawBody` always. A CloudEvent's JSON is parsed here, as the framework's
 * CloudEvent wrapper reads `body`; the files API parses its own body after it
 * has authenticated the caller.
 */
function attachBody(req: BodyRequest, raw: Buffer): void {
  req.rawBody = raw;
  const type = parseContentType(req.headers['content-type']);
  const isCloudEvent = req.headers['ce-specversion'] !== undefined || type?.essence === 'application/cloudevents+json';
  if (isCloudEvent && raw.length > 0 && isJsonMediaType(type)) req.body = parseJson(raw, type);
}

const isMultipart = (req: IncomingMessage) => parseContentType(req.headers['content-type'])?.essence === 'multipart/form-data';

/**
 * The framework's parsers read any request that has a body (the raw one takes
 * every type, up to 1 GB, into memory): without its framing headers it has
 * none to them. Node has parsed the framing already; the body still streams.
 */
function hideBodyFromFramework(req: BodyRequest): void {
  const hidden: BodyRequest[typeof HIDDEN_FRAMING] = {};
  for (const name of FRAMING) {
    const value = req.headers[name];
    if (value === undefined) continue;
    hidden[name] = value;
    delete req.headers[name];
  }
  req[HIDDEN_FRAMING] = hidden;
}

/** Puts back the framing headers hidden from the framework, for the function that reads the stream. */
export function restoreBodyFraming(req: BodyRequest): void {
  const hidden = req[HIDDEN_FRAMING];
  if (!hidden) return;
  Object.assign(req.headers, hidden);
  delete req[HIDDEN_FRAMING];
}

function decodable(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

/** Errors raised inside the framework's own layers, by their body-parser/http-errors shape. */
function fromFramework(err: unknown, limit: number): ApiError {
  if (err instanceof URIError) return notFound();
  const { status, type } = (err ?? {}) as { status?: number; type?: string };
  if (type === 'entity.too.large') return payloadTooLarge(limit);
  if (type === 'entity.parse.failed') return invalidJson('Request body is not valid JSON');
  if (type === 'charset.unsupported' || type === 'encoding.unsupported' || status === 415) {
    return unsupportedMediaType('unsupported encoding');
  }
  if (status !== undefined && status >= 400 && status < 500) return invalidJson('Malformed request');
  return internalError();
}

/** The express the framework builds its app with (not whichever copy this module would resolve). */
function frameworkExpressApplication(): ExpressApplication {
  const requireFromFramework = createRequire(require.resolve('@google-cloud/functions-framework'));
  return (requireFromFramework('express') as { application: ExpressApplication }).application;
}
