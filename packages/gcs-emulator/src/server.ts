import http from 'node:http';
import { allowedOrigin, corsHeaders } from './cors';
import type { EmulatorState } from './emulator-state';
import { GcsError, sendError } from './errors';
import { warn } from './log';
import { dispatch } from './router';
import { sendXmlError, XmlError } from './xml-error';

/** The HTTP server: parses the target, lets the router answer, and turns anything
 * thrown into Cloud Storage's error JSON. */
export function createStorageServer(state: EmulatorState): http.Server {
  const server = http.createServer((req, res) => void handle(state, req, res));
  // One request may carry gigabytes (a one-shot PUT); Node's default 5-minute cap would cut it.
  server.requestTimeout = 0;
  // Node closes an idle connection after 5 s; a client that picks that socket for its next chunk just
  // then gets ECONNRESET (seen on a loaded machine between resumable chunks). Google's front ends keep
  // idle connections far longer, so clients do not expect it.
  server.keepAliveTimeout = 120_000;
  return server;
}

async function handle(state: EmulatorState, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const target = req.url ?? '/';
  const at = target.indexOf('?');
  const path = at < 0 ? target : target.slice(0, at);
  const query = new URLSearchParams(at < 0 ? '' : target.slice(at + 1));
  state.requestLog?.watch(req, res, path, query);
  const base = `http://${req.headers.host ?? `${state.config.host}:${state.config.port}`}`;
  try {
    const origin = allowedOrigin(req, state.config.corsOrigins);
    if (origin) for (const [name, value] of Object.entries(corsHeaders(origin))) res.setHeader(name, value);
    await dispatch({ state, req, res, query, base }, req.method ?? 'GET', path);
  } catch (err) {
    if (err instanceof GcsError) return sendError(res, err);
    if (err instanceof XmlError) return sendXmlError(res, err);
    // A client that went away mid-transfer is routine; anything else is a bug worth seeing.
    if (!req.destroyed && !res.destroyed) warn(`${req.method} ${path} failed: ${(err as Error).stack ?? String(err)}`);
    sendError(res, new GcsError(500, 'backendError', 'Internal error in the storage emulator'));
  }
}
