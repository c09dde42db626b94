import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { ResolvedAddress } from './address-guard';

/** What one POST to an endpoint came to: a status, or why there was none. Never the body, either way. */
export type SendOutcome = { status: number } | { error: string };

/**
 * POSTs `body` to `url`, connecting to `target` (the address the guard checked)
 * instead of resolving the host again; TLS still verifies the certificate
 * against the URL's host name. `timeoutMs` bounds the whole exchange.
 */
export function sendWebhook(
  url: URL,
  target: ResolvedAddress,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<SendOutcome> {
  const pinned: LookupFunction = (_host, options, callback) => {
    if (options.all) callback(null, [target]);
    else callback(null, target.address, target.family);
  };
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        method: 'POST',
        lookup: pinned,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'files-api-webhooks/1',
          ...headers,
          'content-length': String(Buffer.byteLength(body)),
        },
        signal: AbortSignal.timeout(timeoutMs),
      },
      (res: IncomingMessage) => {
        // The answer's body is not wanted: read and dropped, so the socket is freed.
        res.resume();
        res.once('end', () => resolve({ status: res.statusCode ?? 0 }));
        res.once('error', () => resolve({ status: res.statusCode ?? 0 }));
      },
    );
    req.once('error', (error: NodeJS.ErrnoException) =>
      resolve({
        error:
          error.name === 'AbortError' || error.name === 'TimeoutError'
            ? `no answer within ${timeoutMs / 1000} s`
            : (error.code ?? 'connection failed'),
      }),
    );
    req.end(body);
  });
}
