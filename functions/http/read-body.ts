import type { IncomingMessage } from 'node:http';
import { ApiError, payloadTooLarge } from '../errors/api-error';

/**
 * The whole body, refused as soon as it is known to exceed `limit`: from
 * Content-Length before reading a byte, or while streaming. Exactly one of
 * `onBody` and `onError` is called, once. Callbacks rather than a promise: this
 * runs on every request, and each promise a request makes also runs
 * functions-framework's per-request domain hooks.
 */
export function readBody(req: IncomingMessage, limit: number, onBody: (raw: Buffer) => void, onError: (error: ApiError) => void): void {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) return onError(payloadTooLarge(limit));
  const chunks: Buffer[] = [];
  let size = 0;
  const onData = (chunk: Buffer) => {
    size += chunk.length;
    if (size > limit) {
      cleanup();
      req.pause();
      onError(payloadTooLarge(limit));
    } else {
      chunks.push(chunk);
    }
  };
  const onEnd = () => {
    cleanup();
    onBody(Buffer.concat(chunks, size));
  };
  const onAbort = () => {
    cleanup();
    onError(new ApiError(400, 'INVALID_JSON', 'The request body was not received completely'));
  };
  const cleanup = () => {
    req.off('data', onData);
    req.off('end', onEnd);
    req.off('error', onAbort);
    req.off('aborted', onAbort);
  };
  req.on('data', onData);
  req.on('end', onEnd);
  req.on('error', onAbort);
  req.on('aborted', onAbort);
}
