import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { trackPair } from './proxied-pair';

export interface OutageProxy {
  /** host:port, as FIRESTORE_EMULATOR_HOST wants it */
  host: string;
  /** The backend goes away as a stopped process does: open connections drop, new ones are refused. */
  cut(): Promise<void>;
  /** The backend is back, on the same port. */
  restore(): Promise<void>;
  /** The backend stalls as a frozen process (SIGSTOP) does: connections stay open, and nothing is answered. */
  freeze(): void;
  /** What was sent meanwhile reaches the backend now, and its answers come back. */
  thaw(): void;
  close(): Promise<void>;
}

/**
 * A TCP proxy on loopback in front of an emulator the whole run shares, so a
 * test can take "its" backend down, or stall it, and bring it back in
 * milliseconds, without starting an emulator of its own (Firestore's takes
 * seconds of Java).
 */
export async function startOutageProxy(target: string): Promise<OutageProxy> {
  const [hostname, port] = target.split(':');
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let listenOn = 0;
  let frozen = false;

  // Each direction by hand rather than pipe(): pipe() resumes a source on its own (on 'drain'), and a frozen
  // socket must stay paused until the thaw.
  const forward = (from: Socket, to: Socket) => {
    from.on('data', (chunk: Buffer) => {
      if (!to.write(chunk)) from.pause();
    });
    to.on('drain', () => {
      if (!frozen) from.resume();
    });
    from.on('end', () => to.end());
  };

  const open = async () => {
    server = createServer((client) => {
      const upstream = connect(Number(port), hostname);
      trackPair(sockets, client, upstream);
      forward(client, upstream);
      forward(upstream, client);
      // A frozen process's kernel still accepts the connection; nothing is read from it.
      if (frozen) for (const socket of [client, upstream]) socket.pause();
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
    freeze: () => {
      frozen = true;
      for (const socket of sockets) socket.pause();
    },
    thaw: () => {
      frozen = false;
      for (const socket of sockets) socket.resume();
    },
    close: cut,
  };
}
