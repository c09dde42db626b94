import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

/**
 * The session PUTs over node:http instead of fetch. Node's fetch copies a
 * request body on its way out, so a chunk costs its size again in garbage;
 * over a 1 GiB upload that held the process at 150 MB, node:http at 50 MB.
 * Only what putOnSession uses: PUT, a Uint8Array body, headers, a signal.
 */
export const nodeSessionPut: typeof fetch = (input, init = {}) =>
  new Promise<Response>((resolve, reject) => {
    const url = new URL(String(input));
    const body = (init.body ?? new Uint8Array(0)) as Uint8Array;
    const signal = init.signal ?? undefined;
    if (signal?.aborted) return reject(signal.reason);
    const headers = { ...(init.headers as Record<string, string>), 'Content-Length': String(body.length) };
    const secure = url.protocol === 'https:';
    const request = (secure ? httpsRequest : httpRequest)(
      url,
      { method: init.method ?? 'PUT', headers, agent: secure ? agents.https : agents.http },
      (response: IncomingMessage) => {
        const pieces: Buffer[] = [];
        response.on('data', (piece: Buffer) => pieces.push(piece));
        response.on('error', fail);
        response.on('end', () => {
          signal?.removeEventListener('abort', onAbort);
          const answer = new Headers();
          for (const [name, value] of Object.entries(response.headers))
            if (value !== undefined) answer.set(name, Array.isArray(value) ? value.join(', ') : value);
          const status = response.statusCode ?? 500;
          const text = Buffer.concat(pieces);
          resolve(new Response(status === 204 || status === 304 ? null : text, { status, headers: answer }));
        });
      },
    );
    function fail(error: Error) {
      signal?.removeEventListener('abort', onAbort);
      reject(error);
    }
    function onAbort() {
      request.destroy();
      reject(signal?.reason);
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    request.on('error', fail);
    request.end(body);
  });
