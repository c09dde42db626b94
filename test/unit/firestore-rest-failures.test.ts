import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Firestore } from '@google-cloud/firestore';
import { createFirestore } from '../../functions/adapters/firestore-client';
import { withDeadline } from '../../functions/adapters/deadline';
import { BackendUnavailable } from '../../functions/domain/backend-unavailable';

// The Firestore client over REST (createFirestore's `preferRest`) against servers
// that fail the way a Firestore outage does: each attempt ends at the client's own
// per-attempt deadline, and what it throws is classified by withDeadline.
const ATTEMPT_MS = 300;
// withDeadline's own timer, far beyond ATTEMPT_MS: a test that reaches it has shown a hang.
const CALLER_MS = 20_000;

const servers: net.Server[] = [];
const clients: Firestore[] = [];
const sockets = new Set<net.Socket>();
afterAll(async () => {
  await Promise.all(clients.map((c) => c.terminate()));
  for (const socket of sockets) socket.destroy();
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
});

async function listening(server: net.Server): Promise<string> {
  servers.push(server);
  server.on('connection', (socket: net.Socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A client for `host` (as FIRESTORE_EMULATOR_HOST), with a short per-attempt deadline. */
function clientFor(host: string): Firestore {
  const saved = process.env.FIRESTORE_EMULATOR_HOST;
  process.env.FIRESTORE_EMULATOR_HOST = host;
  try {
    const client = createFirestore('rest-failures', ATTEMPT_MS);
    clients.push(client);
    return client;
  } finally {
    process.env.FIRESTORE_EMULATOR_HOST = saved;
  }
}

/** The call's outcome through withDeadline, and whether the caller's own deadline was what ended it. */
async function outcome(call: () => Promise<unknown>): Promise<{ error: unknown; callerDeadline: boolean }> {
  try {
    await withDeadline('firestore', CALLER_MS, call);
  } catch (error) {
    const cause = (error as BackendUnavailable).cause as { code?: unknown } | undefined;
    return { error, callerDeadline: cause?.code === 'DEADLINE' };
  }
  throw new Error('the call succeeded against a failing server');
}

const answering = (status: number, type: string, body: string) =>
  http.createServer((_req, res) => {
    res.writeHead(status, { 'Content-Type': type });
    res.end(body);
  });

describe('Firestore over REST, failing', () => {
  it('a frozen server (connection accepted, never answered): a commit and a read end at the attempt deadline as an outage', async () => {
    const db = clientFor(await listening(net.createServer(() => undefined)));
    for (const call of [() => db.doc('a/b').set({ x: 1 }), () => db.doc('a/b').get(), () => db.collection('a').limit(1).get()]) {
      const { error, callerDeadline } = await outcome(call);
      expect(error).toBeInstanceOf(BackendUnavailable);
      expect(callerDeadline).toBe(false);
    }
  });

  it('503 (JSON or a front page) and 429 are an outage; nothing listening is one too', async () => {
    // A port that was just listening, closed again.
    const refused = await listening(net.createServer());
    await new Promise((resolve) => servers.pop()?.close(resolve));
    for (const host of [
      await listening(answering(503, 'application/json', JSON.stringify({ error: { code: 503, message: 'down', status: 'UNAVAILABLE' } }))),
      await listening(answering(503, 'text/html', '<html>Service Unavailable</html>')),
      await listening(
        answering(429, 'application/json', JSON.stringify({ error: { code: 429, message: 'slow', status: 'RESOURCE_EXHAUSTED' } })),
      ),
      refused,
    ]) {
      const db = clientFor(host);
      const { error, callerDeadline } = await outcome(() => db.doc('a/b').set({ x: 1 }));
      expect(error).toBeInstanceOf(BackendUnavailable);
      expect(callerDeadline).toBe(false);
    }
  });

  it("a 4xx answer keeps its gRPC status (decoded from the body), so it is the caller's error, not an outage", async () => {
    const body = JSON.stringify({ error: { code: 400, message: 'bad', status: 'FAILED_PRECONDITION' } });
    const db = clientFor(await listening(answering(400, 'application/json', body)));
    const { error } = await outcome(() => db.doc('a/b').set({ x: 1 }));
    expect(error).not.toBeInstanceOf(BackendUnavailable);
    expect((error as { code?: unknown }).code).toBe(9);
  });
});
