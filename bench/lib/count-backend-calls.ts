// Preloaded into a function under a benchmark (node -r): counts the backend
// calls the process makes, gRPC methods (Firestore) by name and HTTP requests
// (Storage) by method and path shape, and writes the tally as JSON to
// BENCH_CALL_COUNTS on SIGUSR2, so the bench can divide it by its requests.
import { subscribe } from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
import type { ClientRequest } from 'node:http';
import http2 from 'node:http2';

const counts: Record<string, number> = {};
const count = (what: string) => {
  counts[what] = (counts[what] ?? 0) + 1;
};

// gRPC calls are streams on grpc-js's HTTP/2 sessions, named by their :path.
// (grpc-js captures its Client methods at load, so they cannot be wrapped there.)
const connect = http2.connect;
http2.connect = ((...args: Parameters<typeof http2.connect>) => {
  const session = connect(...args);
  const request = session.request.bind(session);
  session.request = (headers?: http2.OutgoingHttpHeaders, options?: http2.ClientSessionRequestOptions) => {
    count(
      `grpc ${String(headers?.[':path'] ?? '?')
        .split('/')
        .pop()}`,
    );
    return request(headers, options);
  };
  return session;
}) as typeof http2.connect;

// Ids in paths (objects, upload ids) replaced, so one kind of request is one line.
const shape = (path: string) =>
  path
    .split('?')[0]
    .replace(/\/o\/[^/]+/, '/o/{object}')
    .replace(/\/upload\/[^/]+$/, '/upload/{id}');
subscribe('http.client.request.start', (message) => {
  const { request } = message as { request: ClientRequest };
  count(`http ${request.method} ${shape(request.path)}`);
});
subscribe('undici:request:create', (message) => {
  const { request } = message as { request: { method: string; path: string } };
  count(`fetch ${request.method} ${shape(request.path)}`);
});

const file = process.env.BENCH_CALL_COUNTS;
if (file) process.on('SIGUSR2', () => writeFileSync(file, JSON.stringify(counts)));
