import type { Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { isoSeconds } from '../domain/iso-time';
import type { ErrorCode } from '../errors/api-error';
import { logEvent } from './request-log';
import { traceIdOf } from './trace';

interface Refusal {
  status: number;
  reason: string;
  code: ErrorCode;
  message: string;
}

const MALFORMED: Refusal = {
  status: 400,
  reason: 'Bad Request',
  code: 'MALFORMED_REQUEST',
  message: 'The request is not well-formed HTTP/1.1 (for example a duplicate or invalid Content-Length)',
};
const REFUSALS: Record<string, Refusal> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    reason: 'Request Header Fields Too Large',
    code: 'REQUEST_HEADERS_TOO_LARGE',
    message: 'The request line and headers are over the size this server reads',
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    reason: 'Request Timeout',
    code: 'REQUEST_TIMEOUT',
    message: 'The request was not received in time',
  },
};

/**
 * Node's HTTP parser refuses some requests before any handler runs (a bad or
 * duplicate Content-Length, an over-long head, a head or body that arrives too
 * slowly) and answers them with an empty 400, 431 or 408. This answers them in
 * the envelope instead, on servers this project creates (the local stack's and
 * the tests'); on Google Cloud the front end refuses such requests before the
 * function is reached (docs/RELIABILITY.md). Bytes that follow a whole
 * request are a next request's: the one in flight keeps its own answer, and
 * the refusal follows it. A socket that can no longer be written to is only
 * closed.
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    // Node's own (private) link from a socket to the answer it is writing, as its default handler reads it.
    const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage;
    if (inFlight && !inFlight.writableFinished) {
      if (!inFlight.req.complete) {
        // The error is in this request's own body: refused now, or, mid-answer, only closed; its handler sees it cut.
        if (inFlight.headersSent) socket.destroy();
        else refuse(error, socket);
        return;
      }
      inFlight.once('finish', () => refuse(error, socket));
      inFlight.once('close', () => {
        if (!inFlight.writableFinished) socket.destroy();
      });
      return;
    }
    refuse(error, socket);
  });
}

/** Answers the parser's refusal in the envelope, and closes the connection. */
function refuse(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const refusal = REFUSALS[error.code ?? ''] ?? MALFORMED;
  const traceId = traceIdOf({});
  const body = JSON.stringify({
    success: false,
    error: {
      code: refusal.code,
      message: refusal.message,
      type: 'client_error',
      status: refusal.status,
      details: {},
      trace_id: traceId,
      timestamp: isoSeconds(Date.now()),
    },
  });
  socket.end(
    `HTTP/1.1 ${refusal.status} ${refusal.reason}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      'Cache-Control: no-store\r\n' +
      'X-Content-Type-Options: nosniff\r\n' +
      `X-Request-Id: ${traceId}\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
  logEvent('WARNING', `request refused by the HTTP parser: ${refusal.status} ${refusal.code}`, undefined, {
    trace_id: traceId,
    parser_code: error.code,
  });
}
