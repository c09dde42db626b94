// Load: upload-url against the local stack (Firestore emulator, the project's
// storage emulator, the real function under functions-framework's CLI) with
// autocannon. Short probes at rising connection counts find the highest rate
// the emulators sustain with no errors; then LOAD_SECONDS (default 60) at it.
//   npm run bench:load
//   LOAD_SECONDS=60 LOAD_CONNECTIONS=8 npm run bench:load   (skip the probes)
import autocannon from 'autocannon';
import { startFilesFunction } from './lib/files-function-stack';
import { machineLine } from './lib/machine';
import { UNREACHABLE_LIMITS_ENV } from './lib/unreachable-limits';

const SECONDS = Number(process.env.LOAD_SECONDS ?? 60);
const PROBE_SECONDS = 8;
const PROBES = [1, 2, 4, 8, 16, 32];

interface Figures {
  connections: number;
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

function run(url: string, apiKey: string, organizationId: string, connections: number, duration: number): Promise<Figures> {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: `${url}/v1/organizations/${organizationId}/files/upload-url`,
        method: 'POST',
        connections,
        duration,
        timeout: 30,
        headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
        body: JSON.stringify({ filename: 'load.bin', file_size: 1_048_576, mime_type: 'application/octet-stream' }),
      },
      (error, result) => {
        if (error) return reject(error);
        resolve({
          connections,
          requests: result.requests.total,
          rps: Math.round(result.requests.average),
          p50: result.latency.p50,
          p99: result.latency.p99,
          max: result.latency.max,
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
        });
      },
    );
  });
}

const line = (f: Figures) =>
  `${f.connections} connections: ${f.requests} requests, ${f.rps} req/s, p50 ${f.p50} ms, p99 ${f.p99} ms, max ${f.max} ms, non-2xx ${f.non2xx}, errors ${f.errors}, timeouts ${f.timeouts}`;

async function main(): Promise<void> {
  console.log(`load upload-url: ${machineLine()}`);
  const { stack, fn, stop } = await startFilesFunction(UNREACHABLE_LIMITS_ENV);
  try {
    let connections = Number(process.env.LOAD_CONNECTIONS ?? 0);
    if (!connections) {
      let best: Figures | undefined;
      for (const c of PROBES) {
        const probe = await run(fn.url, stack.apiKey, stack.organizationId, c, PROBE_SECONDS);
        console.log(`probe ${line(probe)}`);
        const clean = probe.non2xx === 0 && probe.errors === 0 && probe.timeouts === 0;
        if (!clean) break;
        // More connections that buy under 5% more throughput only queue: stop there.
        if (best && probe.rps < best.rps * 1.05) break;
        best = probe;
      }
      connections = best?.connections ?? 1;
    }
    const figures = await run(fn.url, stack.apiKey, stack.organizationId, connections, SECONDS);
    console.log(`${SECONDS} s at ${line(figures)}`);
    console.log(`after: ${machineLine()}`);
  } finally {
    await stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
