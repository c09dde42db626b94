import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Started } from '../../scripts/processes';
import { describeRelay, describeSweep, scheduleCalls } from '../../scripts/local-stack/scheduled-calls';

type Answer = { status: number; body: unknown } | 'hold';

/** A stand-in for the sweep function: answers each POST with the next of `answers`, then with nothing done. */
async function sweepServer(answers: Answer[]): Promise<{ url: string; methods: string[]; close(): Promise<void> }> {
  const methods: string[] = [];
  const server = http.createServer((req, res) => {
    methods.push(req.method ?? '');
    const answer = answers.shift() ?? { status: 200, body: { expired: 0, completed: 0, has_more: false } };
    if (answer === 'hold') return;
    res.writeHead(answer.status, { 'Content-Type': 'application/json' }).end(JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    methods,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(condition()).toBe(true);
}

let schedule: Started | undefined;
let server: Awaited<ReturnType<typeof sweepServer>> | undefined;

afterEach(async () => {
  await schedule?.stop();
  await server?.close();
  schedule = server = undefined;
});

const sweeps = (url: string, say: (line: string) => void) =>
  scheduleCalls({ name: 'sweep', url, intervalMs: 5, describe: describeSweep }, say);

describe('scheduleCalls, for the sweep', () => {
  it('POSTs on every tick and says one line only for a run that expired or completed something', async () => {
    server = await sweepServer([
      { status: 200, body: { expired: 0, completed: 0, has_more: false } },
      { status: 200, body: { expired: 2, completed: 1, has_more: true } },
    ]);
    const said: string[] = [];
    schedule = sweeps(server.url, (line) => said.push(line));
    const { methods } = server;
    await until(() => methods.length >= 4);
    await schedule.stop();
    expect(new Set(methods)).toEqual(new Set(['POST']));
    expect(said).toEqual(['sweep: 2 expired, 1 completed, more left for the next run']);
  });

  it('says so when a run fails, and keeps going', async () => {
    server = await sweepServer([{ status: 500, body: { error: { code: 'INTERNAL' } } }]);
    const said: string[] = [];
    schedule = sweeps(server.url, (line) => said.push(line));
    const { methods } = server;
    await until(() => methods.length >= 2);
    await schedule.stop();
    expect(said).toEqual(["sweep answered 500 (the sweep function's output says why)"]);
  });

  it('stops without waiting for a run in flight, and says nothing of it', async () => {
    server = await sweepServer(['hold']);
    const said: string[] = [];
    schedule = sweeps(server.url, (line) => said.push(line));
    const { methods } = server;
    await until(() => methods.length === 1);
    await schedule.stop();
    expect(said).toEqual([]);
    expect(methods).toEqual(['POST']);
  });
});

describe('the relay’s line', () => {
  it.each([
    [0, undefined],
    [3, 'relay: 3 pending event(s) sent on to webhooks'],
  ])('for %i relayed is %p', (relayed, line) => {
    expect(describeRelay({ relayed })).toBe(line);
  });
});
