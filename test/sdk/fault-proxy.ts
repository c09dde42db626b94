import { connect, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { trackPair } from '../support/proxied-pair';

export interface Fault {
  /** cut the connection that carries the upstream byte at this offset (counted from arm()), mid-request */
  cutAfter?: number;
  /** flip one bit of the upstream byte at this offset (counted from arm()) */
  flipAt?: number;
}

export interface FaultProxy {
  /** http://127.0.0.1:PORT, to use as STORAGE_EMULATOR_HOST so session URIs point here */
  url: string;
  /** bytes carried client → server since the last reset */
  bytesUp(): number;
  /** faults that have happened */
  cuts: number;
  flips: number;
  arm(fault: Fault): void;
  reset(): void;
  close(): Promise<void>;
}

/** A TCP proxy in front of the storage emulator that can drop a connection or corrupt a byte on demand. */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  let fault: Fault = {};
  let up = 0;
  let armedAt = 0;
  const state = { cuts: 0, flips: 0 };

  const server = createServer((client) => {
    const upstream = connect(Number(port), hostname);
    trackPair(sockets, client, upstream);
    let severed = false;
    client.on('data', (piece: Buffer) => {
      // Pieces already read when the cut came must not reach storage after it: that would be a gap, not a cut.
      if (severed) return;
      let out = piece;
      const carried = up - armedAt;
      if (fault.flipAt !== undefined && carried <= fault.flipAt && fault.flipAt < carried + piece.length) {
        out = Buffer.from(piece);
        out[fault.flipAt - carried] ^= 0x01;
        fault = { ...fault, flipAt: undefined };
        state.flips++;
      }
      if (fault.cutAfter !== undefined && carried + piece.length > fault.cutAfter) {
        const keep = Math.max(0, fault.cutAfter - carried);
        fault = { ...fault, cutAfter: undefined };
        state.cuts++;
        severed = true;
        client.pause();
        upstream.write(out.subarray(0, keep), () => {
          client.destroy();
          upstream.destroy();
        });
        up += keep;
        return;
      }
      up += out.length;
      if (!upstream.write(out)) {
        client.pause();
        upstream.once('drain', () => client.resume());
      }
    });
    upstream.pipe(client);
    client.on('end', () => upstream.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bytesUp: () => up,
    get cuts() {
      return state.cuts;
    },
    get flips() {
      return state.flips;
    },
    arm: (next) => {
      fault = next;
      armedAt = up;
    },
    reset: () => {
      up = 0;
      armedAt = 0;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
