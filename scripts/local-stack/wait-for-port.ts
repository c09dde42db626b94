import net from 'node:net';

const ATTEMPT_TIMEOUT_MS = 1000;
const RETRY_MS = 100;

/** Resolves once `host:port` accepts a TCP connection; rejects after `timeoutMs`. It sends no request,
 * so the server logs nothing (functions-framework listens only once the function is loaded). */
export async function waitForPort(host: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await accepts(host, port))) {
    if (Date.now() > deadline) throw new Error(`nothing accepted connections on ${host}:${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, RETRY_MS));
  }
}

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: ATTEMPT_TIMEOUT_MS });
    const settle = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => settle(true));
    socket.once('timeout', () => settle(false));
    socket.once('error', () => settle(false));
  });
}
