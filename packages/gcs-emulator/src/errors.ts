import type { ServerResponse } from 'node:http';

/** A failure the emulator answers with Cloud Storage's error JSON and status. */
export class GcsError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const badRequest = (message: string, reason = 'invalid') => new GcsError(400, reason, message);
export const notFound = (message: string) => new GcsError(404, 'notFound', message);
export const conflict = (message: string) => new GcsError(409, 'conflict', message);
export const preconditionFailed = (message: string) => new GcsError(412, 'conditionNotMet', message);

/** The JSON API's error body: {"error":{"code","message","errors":[{domain,reason,message}]}}. */
export function errorBody(err: GcsError): string {
  return JSON.stringify({
    error: {
      code: err.code,
      message: err.message,
      errors: [{ domain: 'global', reason: err.reason, message: err.message }],
    },
  });
}

export function sendError(res: ServerResponse, err: GcsError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (err.code === 304) {
    res.writeHead(304, err.headers);
    res.end();
    return;
  }
  const body = errorBody(err);
  res.writeHead(err.code, {
    ...err.headers,
    'Content-Type': 'application/json; charset=UTF-8',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}
