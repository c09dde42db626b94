import { readFileSync } from 'node:fs';
import net from 'node:net';

// Ports handed out by this process: two picks in a row never collide before either is bound.
const handedOut = new Set<number>();
const LOWEST = 10_000;
const ATTEMPTS = 50;

/**
 * A port that was free a moment ago on `host`, for programs that cannot listen
 * on port 0 and report back. It is picked below the kernel's ephemeral range,
 * which outgoing connections draw from: a port from that range can be taken by
 * any connect() between this check and the program's listen.
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const [low] = ephemeralRange();
  if (low - LOWEST >= 1000) {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const port = LOWEST + Math.floor(Math.random() * (low - LOWEST));
      if (handedOut.has(port) || !(await canListen(port, host))) continue;
      handedOut.add(port);
      return port;
    }
  }
  return kernelPick(host);
}

function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high)) return [low, high];
  } catch {
    // Not Linux: the IANA range most other systems use.
  }
  return [49152, 65535];
}

function canListen(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

function kernelPick(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
