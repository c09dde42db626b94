// Promises per upload-url: a count, not a timing, so it reads the same on a
// loaded machine. Each promise a request makes also runs functions-framework's
// per-request domain hooks (bench/RESULTS.md, stop 24), so this is the figure
// behind most of the overhead guard's movements. Counts the files server
// (bench/servers/files-in-memory.ts, or --server PATH: another build's) and the
// bare function under 16 requests in flight, after a warm-up.
//
//   node dist/bench/promises-per-request.js [--server PATH] [--seconds 2]
import http from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { freePort } from '../emulator/free-port';
import { newApiKey } from '../functions/domain/api-key';
import { spawnFunction, untilServing } from './lib/function-process';
import { closedLoop, post, type Call } from './lib/http-client';
import { BENCH_SERVERS } from './lib/paths';
import { uploadUrlCall } from './lib/upload-url-call';
import { BENCH_ORGANIZATION_ID } from './servers/bench-tenant';

const { values } = parseArgs({ options: { server: { type: 'string' }, seconds: { type: 'string', default: '2' } } });
const seconds = Number(values.seconds);

/** Promises per answered request of the function in `source` (its `target`), counted over `seconds` of load. */
async function count(source: string, target: string, env: Record<string, string>, call: (url: string) => Call): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'promises-'));
  const file = join(dir, 'count');
  const fn = spawnFunction({
    source,
    target,
    port: await freePort(),
    env: { ...env, PROMISE_COUNT_FILE: file },
    nodeArgs: ['-r', join(__dirname, 'lib', 'promise-counter.js')],
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  try {
    await untilServing(fn);
    const sample = await post(agent, call(fn.url));
    if (sample.status !== 200) throw new Error(`${target} answered ${sample.status}: ${sample.body}`);
    await closedLoop(agent, () => call(fn.url), 16, 2000);
    process.kill(fn.pid, 'SIGUSR2');
    await sleep(100);
    const run = await closedLoop(agent, () => call(fn.url), 16, seconds * 1000);
    process.kill(fn.pid, 'SIGUSR2');
    await sleep(200);
    if (run.failed > 0) throw new Error(`${run.failed} requests failed, e.g. ${run.lastFailure}`);
    return Number(readFileSync(file, 'utf8')) / run.ok;
  } finally {
    agent.destroy();
    await fn.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const apiKey = newApiKey();
  const call = (url: string) => uploadUrlCall(url, BENCH_ORGANIZATION_ID, apiKey);
  const server = values.server ? resolve(values.server) : join(BENCH_SERVERS, 'files-in-memory.js');
  const filesEnv = { FILES_BUCKET: 'bench-bucket', GOOGLE_CLOUD_PROJECT: 'bench-project', BENCH_API_KEY: apiKey, BENCH_LATENCY_MS: '0' };
  const files = await count(server, 'files', filesEnv, call);
  const bare = await count(join(BENCH_SERVERS, 'bare.js'), 'bare', {}, call);
  console.log(`promises per upload-url: files ${files.toFixed(2)} (${server}), bare ${bare.toFixed(2)}`);
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exitCode = 1;
});
