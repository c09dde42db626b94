import http from 'node:http';

export interface Answer {
  status: number;
  body: string;
}

export interface Call {
  url: URL;
  headers: Record<string, string>;
  body: string;
}

/** One POST; `agent` decides keep-alive. Rejects on connection errors and after `timeoutMs`. */
export function post(agent: http.Agent, call: Call, timeoutMs = 10_000): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      call.url,
      {
        method: 'POST',
        agent,
        headers: { ...call.headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(call.body) },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${call.url.host} within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(call.body);
  });
}

/** Keeps `concurrency` requests in flight for `durationMs`; counts answers by status. */
export async function closedLoop(
  agent: http.Agent,
  call: () => Call,
  concurrency: number,
  durationMs: number,
): Promise<{ ok: number; failed: number; lastFailure?: string; seconds: number }> {
  let ok = 0;
  let failed = 0;
  let lastFailure: string | undefined;
  const started = performance.now();
  const deadline = started + durationMs;
  const worker = async () => {
    while (performance.now() < deadline) {
      try {
        const answer = await post(agent, call());
        if (answer.status === 200) ok++;
        else {
          failed++;
          lastFailure = `${answer.status} ${answer.body.slice(0, 300)}`;
        }
      } catch (error) {
        failed++;
        lastFailure = String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { ok, failed, lastFailure, seconds: (performance.now() - started) / 1000 };
}
