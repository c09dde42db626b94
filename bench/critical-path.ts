// Critical path: the files API on in-memory ports that each take a fixed L ms per
// call (a backend round trip), auth cache warm, one request at a time. The
// session start, then the record write with its URI (it must be durable before
// the answer: see docs/DESIGN.md, the critical path), with the quota read beside both,
// so a call takes about two L, not the five of key lookup, membership, quota,
// session and record in a row.
// --wait-quiet: seconds to wait, at most, for an idle machine (0: do not wait).
//
//   node dist/bench/critical-path.js [--latency 50] [--requests 30] [--wait-quiet 300]
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '../emulator/free-port';
import { newApiKey } from '../functions/domain/api-key';
import { spawnFunction, untilServing } from './lib/function-process';
import { post, type Call } from './lib/http-client';
import { machineLine, waitForQuiet } from './lib/machine';
import { BENCH_SERVERS } from './lib/paths';
import { median, percentile, round } from './lib/stats';
import { uploadUrlCall } from './lib/upload-url-call';
import { BENCH_ORGANIZATION_ID } from './servers/bench-tenant';

// The design's old goal of one round trip plus a little: out of reach for any function that must store the
// session URI before it answers, which takes a second, dependent round trip (see bench/RESULTS.md).
const GOAL = 1.3;
const WARMUP_REQUESTS = 5;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      latency: { type: 'string', default: '50' },
      requests: { type: 'string', default: '30' },
      'wait-quiet': { type: 'string', default: '300' },
    },
  });
  const latencyMs = Number(values.latency);
  const requests = Number(values.requests);
  console.log(await waitForQuiet(Number(values['wait-quiet']) * 1000));
  console.log(`critical path: ${machineLine()}`);
  console.log(`port latency L = ${latencyMs} ms, ${requests} sequential requests per variant, alternating`);

  const apiKey = newApiKey();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const fn = spawnFunction({
    source: join(BENCH_SERVERS, 'files-in-memory.js'),
    target: 'files',
    port: await freePort(),
    // AUTH_CACHE_TTL_SECONDS keeps its default (30 s): the whole run takes a few seconds.
    env: {
      FILES_BUCKET: 'bench-bucket',
      GOOGLE_CLOUD_PROJECT: 'bench-project',
      BENCH_API_KEY: apiKey,
      BENCH_LATENCY_MS: String(latencyMs),
    },
  });
  try {
    await untilServing(fn);
    const plain = () => uploadUrlCall(fn.url, BENCH_ORGANIZATION_ID, apiKey);
    const idempotent = () => uploadUrlCall(fn.url, BENCH_ORGANIZATION_ID, apiKey, { 'Idempotency-Key': randomUUID() });
    const timed = async (call: Call): Promise<number> => {
      const started = performance.now();
      const answer = await post(agent, call);
      const ms = performance.now() - started;
      if (answer.status !== 200) throw new Error(`answered ${answer.status}: ${answer.body}`);
      return ms;
    };

    // The first call fills the key and membership caches (two more L, one after the other); the rest warm the JIT.
    const coldCacheMs = await timed(plain());
    console.log(`first call, auth cache cold: ${round(coldCacheMs, 1)} ms = ${round(coldCacheMs / latencyMs, 2)} L`);
    for (let i = 0; i < WARMUP_REQUESTS; i++) {
      await timed(plain());
      await timed(idempotent());
    }
    const plainMs: number[] = [];
    const idempotentMs: number[] = [];
    for (let i = 0; i < requests; i++) {
      plainMs.push(await timed(plain()));
      idempotentMs.push(await timed(idempotent()));
    }

    const report = (name: string, ms: number[], goal?: number) => {
      const ratio = median(ms) / latencyMs;
      const verdict = goal === undefined ? '' : ` (goal ≤ ${goal}: ${ratio <= goal ? 'met' : 'MISSED'})`;
      console.log(
        `${name}: median ${round(median(ms), 1)} ms, p90 ${round(percentile(ms, 90), 1)} ms, ` +
          `min ${round(Math.min(...ms), 1)} ms; median / L = ${round(ratio, 3)}${verdict}`,
      );
    };
    report('without Idempotency-Key', plainMs, GOAL);
    report('with Idempotency-Key   ', idempotentMs);
    console.log(`after: ${machineLine()}`);
  } finally {
    agent.destroy();
    await fn.stop();
  }
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exitCode = 1;
});
