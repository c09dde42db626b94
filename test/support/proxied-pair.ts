import type { Socket } from 'node:net';

/** Tracks a proxied connection's two sockets in `open`; either one failing or closing ends both and forgets them. */
export function trackPair(open: Set<Socket>, client: Socket, upstream: Socket): void {
  open.add(client).add(upstream);
  const drop = () => {
    client.destroy();
    upstream.destroy();
    open.delete(client);
    open.delete(upstream);
  };
  client.on('error', drop).on('close', drop);
  upstream.on('error', drop).on('close', drop);
}
