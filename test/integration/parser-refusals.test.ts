import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { validateErrorEnvelope } from '../../functions/generated/validators';
import { startStack, type Stack } from '../support/stack';

// What Node's HTTP parser refuses before any handler runs still leaves in the envelope.
let stack: Stack;
beforeAll(async () => {
  stack = await startStack(__filename);
});
afterAll(() => stack.close());

interface RawAnswer {
  status: number;
  head: string;
  body: Record<string, any>;
}

/** Sends `request` as bytes (and, unless `hold`, nothing after); everything read until the server closes. */
function rawText(url: string, request: string, hold = false): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => (hold ? socket.write(request) : socket.end(request)));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString()));
  });
}

/** The one answer to `request`. */
function raw(url: string, request: string, hold = false): Promise<RawAnswer> {
  return rawText(url, request, hold).then((text) => {
    const split = text.indexOf('\r\n\r\n');
    const head = split < 0 ? text : text.slice(0, split);
    let body: Record<string, any> = {};
    try {
      body = JSON.parse(text.slice(split + 4)) as Record<string, any>;
    } catch {
      // left empty: the assertions below say what was expected
    }
    return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]), head, body };
  });
}

function expectEnvelope(answer: RawAnswer, status: number, code: string): void {
  expect({ status: answer.status, code: answer.body.error?.code }).toEqual({ status, code });
  expect(validateErrorEnvelope(answer.body)).toBe(true);
  expect(answer.body).toMatchObject({ success: false, error: { status, type: 'client_error' } });
  expect(answer.head).toMatch(/\r\ncontent-type: application\/json; charset=utf-8\r\n/i);
  expect(answer.head).toMatch(/\r\nconnection: close$/im);
}

const path = () => `/v1/organizations/${stack.organizationId}/files/upload-url`;

describe("the parser's refusals, in the envelope", () => {
  it('400 MALFORMED_REQUEST for a duplicate or invalid Content-Length, or a request line that is not HTTP', async () => {
    const requests = [
      `POST ${path()} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}`,
      `POST ${path()} HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}`,
      `POST ${path()} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n{}`,
      'GARBAGE\r\n\r\n',
    ];
    for (const request of requests) expectEnvelope(await raw(stack.api.url, request), 400, 'MALFORMED_REQUEST');
  });

  it('answers a whole request first, then refuses the bytes that follow it', async () => {
    const request = `GET /v1/organizations/${stack.organizationId}/files HTTP/1.1\r\nHost: x\r\nX-API-Key: ${stack.apiKey}\r\n\r\nGARBAGE\r\n\r\n`;
    // The connection is held open, as a client that sends its next request does (a half-close would end both).
    const answers = (await rawText(stack.api.url, request, true)).split(/(?=HTTP\/1\.1 \d{3} )/);
    expect(answers.map((answer) => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]))).toEqual([200, 400]);
    expect(answers[0]).toContain('"files"');
    expect(answers[1]).toContain('"MALFORMED_REQUEST"');
  });

  it('431 REQUEST_HEADERS_TOO_LARGE for a head over the limit', async () => {
    const request = `GET ${path()} HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`;
    expectEnvelope(await raw(stack.api.url, request), 431, 'REQUEST_HEADERS_TOO_LARGE');
  });

  it('408 REQUEST_TIMEOUT for a head or a body that never ends, on a server with the local stack’s kind of timeouts', async () => {
    const { answerClientErrors } = require('../../functions/http/client-error') as typeof import('../../functions/http/client-error');
    const server = http.createServer({ headersTimeout: 300, requestTimeout: 300, connectionsCheckingInterval: 50 }, (req, res) => {
      req.resume();
      req.on('end', () => res.end('unreachable'));
    });
    answerClientErrors(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      expectEnvelope(await raw(url, `GET / HTTP/1.1\r\nHost: x\r\nX-Slow: `, true), 408, 'REQUEST_TIMEOUT');
      expectEnvelope(await raw(url, `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab`, true), 408, 'REQUEST_TIMEOUT');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
