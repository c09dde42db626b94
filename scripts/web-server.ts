import { readFileSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';

export interface WebPageOptions {
  /** the built page: packages/web/dist */
  root: string;
  host: string;
  /** 0 lets the OS choose */
  port: number;
  /** served as config.json: what the page connects to until its user saves other settings */
  config: { apiUrl: string; organizationId: string; apiKey: string };
  /** origins the page may call besides its own (the API, storage), for its Content-Security-Policy */
  connectTo: string[];
}

export interface RunningWebPage {
  url: string;
  origin: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
};

/**
 * Serves the browser uploader: the files of its build, read once, and nothing
 * else (no path from a request ever reaches the file system). For local use:
 * config.json hands the page the demo organization's key.
 */
export function serveWebPage(options: WebPageOptions): Promise<RunningWebPage> {
  const files = new Map<string, { type: string; body: Buffer }>();
  for (const name of readdirSync(options.root)) {
    if (TYPES[extname(name)]) files.set(`/${name}`, { type: TYPES[extname(name)], body: readFileSync(join(options.root, name)) });
  }
  files.set('/config.json', { type: TYPES['.json'], body: Buffer.from(JSON.stringify(options.config)) });
  const csp = [
    "default-src 'self'",
    // hash-wasm compiles its CRC32C from WebAssembly.
    "script-src 'self' 'wasm-unsafe-eval'",
    `connect-src 'self' ${options.connectTo.join(' ')}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');

  // A client that sends its request slowly does not keep a socket for minutes.
  const server: Server = createServer({ headersTimeout: 10_000, requestTimeout: 30_000 }, (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const file = files.get(path === '/' ? '/index.html' : path);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    // Signed URLs and keys must never leave in a Referer.
    res.setHeader('Referrer-Policy', 'no-referrer');
    if (!file || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(file ? 405 : 404, { 'Content-Type': 'text/plain; charset=utf-8' }).end(file ? 'Method not allowed\n' : 'Not found\n');
      return;
    }
    res.writeHead(200, {
      'Content-Type': file.type,
      'Content-Length': file.body.length,
      'Cache-Control': 'no-cache',
      ...(file.type.startsWith('text/html') ? { 'Content-Security-Policy': csp } : {}),
    });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      const { port } = server.address() as AddressInfo;
      const origin = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`;
      resolve({
        url: `${origin}/`,
        origin,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
