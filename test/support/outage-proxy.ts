import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface OutageProxy {
  /** host:port, as FIRESTORE_EMULATOR_HOST wants it */
  host: string;
  /** The backend goes away as a stopped process does: open connections drop, new ones are refused. */
  cut(): Promise<void>;
  /** The backend is back, on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A TCP proxy on loopback in front of an emulator the whole run shares, so a
 * test can take "its" backend down and bring it back in milliseconds, without
 * starting an emulator of its own (Firestore's takes seconds of Java).
 */
export async function startOutageProxy(target: string): Promise<OutageProxy> {
  const [hostname, port] = target.split(':');
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let listenOn = 0;

  const open = async () => {
    server = createServer((client) => {
      const upstream = connect(Number(port), hostname);
      sockets.add(client).add(upstream);
      client.pipe(upstream).pipe(client);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        sockets.delete(client);
        sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
    });
    const listening = server;
    await new Promise<void>((resolve) => listening.listen(listenOn, '127.0.0.1', resolve));
    listenOn = (listening.address() as AddressInfo).port;
  };
  const cut = async () => {
    const closing = server;
    server = undefined;
    for (const socket of sockets) socket.destroy();
    if (closing) await new Promise<void>((resolve) => closing.close(() => resolve()));
  };

  await open();
  return {
    host: `127.0.0.1:${listenOn}`,
    cut,
    restore: open,
    close: cut,
  };
}
