import { acceptsConnection } from '../accepts-connection';

const ATTEMPT_TIMEOUT_MS = 1000;
const RETRY_MS = 100;

/** Resolves once `host:port` accepts a TCP connection; rejects after `timeoutMs`. It sends no request,
 * so the server logs nothing (functions-framework listens only once the function is loaded). */
export async function waitForPort(host: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await acceptsConnection(host, port, ATTEMPT_TIMEOUT_MS))) {
    if (Date.now() > deadline) throw new Error(`nothing accepted connections on ${host}:${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, RETRY_MS));
  }
}
