import type { IncomingMessage, ServerResponse } from 'node:http';
import { isoSeconds } from '../domain/iso-time';
import { ApiError, internalError } from '../errors/api-error';
import { logRequest, type RequestLogContext } from './request-log';

export interface ResponseContext extends RequestLogContext {
  organizationId?: string;
  fileId?: string;
}

const COMMON_HEADERS = {
  'Content-Type': 'application/json; charset=utf-8',
  // Answers carry capabilities (session URIs): no cache may keep them.
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
};
// Listed once, not per answer: set on every one.
const COMMON_HEADER_ENTRIES = Object.entries(COMMON_HEADERS);

export function sendJson(req: IncomingMessage, res: ServerResponse, ctx: ResponseContext, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  const responseSize = write(res, ctx, status, payload, {});
  logRequest(req, ctx, { status, responseSize, organizationId: ctx.organizationId, fileId: ctx.fileId });
}

export function sendNoContent(req: IncomingMessage, res: ServerResponse, ctx: ResponseContext): void {
  res.statusCode = 204;
  res.setHeader('X-Request-Id', ctx.traceId);
  res.end();
  logRequest(req, ctx, { status: 204, responseSize: 0, organizationId: ctx.organizationId, fileId: ctx.fileId });
}

/**
 * Any failure, as the envelope. An error that is not an ApiError is a bug: the
 * client gets a generic 500, the log gets the (redacted) stack.
 */
export function sendError(req: IncomingMessage, res: ServerResponse, ctx: ResponseContext, error: unknown): void {
  const apiError = error instanceof ApiError ? error : internalError();
  const envelope = {
    success: false,
    error: {
      code: apiError.code,
      message: apiError.message,
      type: apiError.status >= 500 ? 'server_error' : 'client_error',
      status: apiError.status,
      details: apiError.details,
      trace_id: ctx.traceId,
      timestamp: isoSeconds(Date.now()),
    },
  };
  const payload = JSON.stringify(envelope);
  if (res.headersSent) {
    res.destroy();
  } else {
    write(res, ctx, apiError.status, payload, apiError.headers);
  }
  logRequest(req, ctx, {
    status: apiError.status,
    code: apiError.code,
    responseSize: Buffer.byteLength(payload),
    organizationId: ctx.organizationId,
    fileId: ctx.fileId,
    error: apiError.status >= 500 ? error : undefined,
  });
}

/** Sends the answer; returns its size in bytes. */
function write(res: ServerResponse, ctx: ResponseContext, status: number, payload: string, headers: Record<string, string>): number {
  const size = Buffer.byteLength(payload);
  res.statusCode = status;
  for (const [name, value] of COMMON_HEADER_ENTRIES) res.setHeader(name, value);
  for (const name of Object.keys(headers)) res.setHeader(name, headers[name]);
  res.setHeader('X-Request-Id', ctx.traceId);
  res.setHeader('Content-Length', size);
  res.end(payload);
  return size;
}
