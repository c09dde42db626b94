import type { AddressInfo } from 'node:net';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createAnswerChecker } from '../contract/openapi-answers';

export type Target = 'files' | 'finalize' | 'sweep' | 'deliver' | 'relay';

export interface RunningApi {
  /** the `files` function's base URL */
  url: string;
  /** every started function's base URL */
  urls: Partial<Record<Target, string>>;
  close(): Promise<void>;
}

/**
 * The functions as they are deployed: functions/index.ts loaded fresh with
 * `env`, each target served by functions-framework's own server (its testing
 * export builds the same express app as its CLI), on a free loopback port.
 */
export async function startFilesApi(env: Record<string, string>, targets: Target[] = ['files']): Promise<RunningApi> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  const servers: Partial<Record<Target, Server>> = {};
  let closeBackends: () => Promise<void> = async () => undefined;
  try {
    jest.isolateModules(() => {
      ({ closeBackends } = require('../../functions/index'));
      const { answerClientErrors } = require('../../functions/http/client-error');
      // readable-stream requires its Duplex lazily, when it makes its first
      // stream; after isolateModules that would be another registry's copy, and
      // the storage client's upload streams would fail to write (a direct
      // upload). One stream made here binds the copy the function loaded.
      require('readable-stream').Duplex();
      const { getTestServer } = require('@google-cloud/functions-framework/testing');
      for (const target of targets) {
        servers[target] = getTestServer(target);
        answerClientErrors(servers[target]);
      }
    });
  } finally {
    process.env = saved;
  }
  const urls: Partial<Record<Target, string>> = {};
  for (const target of targets) {
    const server = servers[target] as Server;
    if (target === 'files') checkAnswersOf(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    urls[target] = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }
  return {
    url: urls.files ?? '',
    urls,
    close: async () => {
      for (const server of Object.values(servers)) {
        await new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        });
      }
      await closeBackends();
    },
  };
}

// Every answer the `files` function gives a test is checked against the OpenAPI
// document generated from the contract; a mismatch fails the test that was
// running (or, outside a test, its file), so no integration test has to ask.
const violations: string[] = [];
let checked = 0;
let checkAnswer: ReturnType<typeof createAnswerChecker> | undefined;

function failOnViolations(): void {
  if (violations.length === 0) return;
  const found = violations.splice(0);
  throw new Error(`answers that break the contract (schemas/api.contract.json):\n  ${found.join('\n  ')}`);
}
afterEach(failOnViolations);
afterAll(failOnViolations);

/** How many answers of this test file were checked against the contract. */
export const answersChecked = (): number => checked;

type Chunk = string | Uint8Array;

/** Wraps the server's request handler so each answer's status, headers and body are checked once it is sent. */
function checkAnswersOf(server: Server): void {
  checkAnswer ??= createAnswerChecker();
  const check = checkAnswer;
  const handlers = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    const keep = (chunk: unknown) => {
      if (typeof chunk === 'string' || chunk instanceof Uint8Array) chunks.push(Buffer.from(chunk as Chunk));
    };
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.write = ((chunk: unknown, ...rest: unknown[]) => (keep(chunk), write(chunk, ...rest))) as ServerResponse['write'];
    res.end = ((chunk?: unknown, ...rest: unknown[]) => (keep(chunk), end(chunk, ...rest))) as ServerResponse['end'];
    res.on('finish', () => {
      // CORS preflights are answered before any operation and are not one.
      if (req.method === 'OPTIONS') return;
      const answer = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        status: res.statusCode,
        headers: res.getHeaders(),
        body: Buffer.concat(chunks),
      };
      checked += 1;
      violations.push(...check(answer));
    });
    for (const handler of handlers) handler.call(server, req, res);
  });
}
