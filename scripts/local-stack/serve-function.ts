import http from 'node:http';
import { onParentGone } from '../processes';
import { SERVER_TIMEOUTS } from './server-timeouts';

/**
 * `node serve-function.js <source> <target> <host> <port>`: one function of the compiled functions, served
 * by functions-framework's own app (the one its CLI serves; the library builds it from code) on `host`
 * only, where the CLI would listen on every interface. Server timeouts bound what a slow client can hold.
 * It stops when the process that started it is gone, however it went (processes.ts: the lifeline).
 */
const [source, target, host, portText] = process.argv.slice(2);

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

if (!source || !target || !host || !/^\d+$/.test(portText ?? '')) fail('usage: serve-function.js <source> <target> <host> <port>');

// Output goes to whoever started it over pipes; once that is gone, so is the reason to run.
process.stdout.on('error', () => process.exit(1));
process.stderr.on('error', () => process.exit(1));

let closeBackends: () => Promise<void> = async () => undefined;
let answerClientErrors: (server: http.Server) => void;
let app: http.RequestListener;
try {
  ({ closeBackends, answerClientErrors } = require(source) as {
    closeBackends: () => Promise<void>;
    answerClientErrors: (server: http.Server) => void;
  });
  const { getTestServer } =
    require('@google-cloud/functions-framework/testing') as typeof import('@google-cloud/functions-framework/testing');
  // The framework's server for this target, for its request handler: the same express app as its CLI's.
  app = getTestServer(target).listeners('request')[0] as http.RequestListener;
} catch (err) {
  // The functions' own configuration check has said what is wrong, once; no stack trace on top.
  fail(`cannot load ${target} from ${source}: ${err instanceof Error ? err.message : String(err)}`);
}

const server = http.createServer(SERVER_TIMEOUTS, app);
server.keepAliveTimeout = SERVER_TIMEOUTS.keepAliveTimeout;
// What Node's parser refuses (bad Content-Length, a head too large or too slow) leaves in the envelope too.
answerClientErrors(server);
server.on('error', (err) => fail(`cannot listen on ${host}:${portText}: ${err.message}`));
server.listen({ host, port: Number(portText) });

let stopping = false;
function stop(code: number): void {
  if (stopping) return;
  stopping = true;
  server.close();
  // Idle keep-alive connections would hold close() open; requests in flight get the grace period.
  server.closeIdleConnections();
  const force = setTimeout(() => process.exit(code), 3000);
  force.unref();
  void closeBackends()
    .catch(() => undefined)
    .finally(() => process.exit(code));
}

process.on('SIGTERM', () => stop(0));
process.on('SIGINT', () => stop(0));
onParentGone(() => stop(1));
