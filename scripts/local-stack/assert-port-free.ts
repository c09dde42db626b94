import net from 'node:net';
import { StartupError } from './startup-error';
import type { ServiceAddress } from './stack-config';

/** Fails with the port and the variable that moves it, before anything is started on it. */
export function assertPortFree(what: string, address: ServiceAddress, host: string | undefined = address.host): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new StartupError(
          err.code === 'EADDRINUSE'
            ? `port ${address.port} (${what}) is already in use: stop what holds it, or set ${address.portEnv} to another port`
            : `cannot listen on port ${address.port} (${what}): ${err.message}; set ${address.portEnv} to another port`,
        ),
      ),
    );
    server.listen({ host, port: address.port }, () => server.close(() => resolve()));
  });
}
