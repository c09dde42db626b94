// Overhead: requests per second of the files API (functions-framework CLI, in-memory
// ports, no latency) against a bare function answering a JSON body of the same
// size, side by side in one run. The servers are child processes, so client and
// server work on separate cores. --wait-quiet: seconds to wait, at most, for an
// idle machine before measuring (0: do not wait).
//
//   node dist/bench/overhead.js [--concurrency 16] [--seconds 3] [--pairs 9] [--warmup 10] [--wait-quiet 300] [--retained]
//       [--baseline PATH]
//
// A guard: the last line says PASS or FAIL against GUARD (the median ratio
// files/bare), and a FAIL exits 1. --baseline measures, in the same rounds, the
// files API of another build (PATH: that build's bench/servers/files-in-memory.js,
// e.g. a copy of dist/ made before a change), so a change's effect is read
// beside the spread rather than across runs on a machine that changes under them.
//
// The files side's in-memory store forgets the records and sessions it is given
// (bench/servers/files-in-memory.ts says why); --retained measures, in the same
// rounds, a third server whose store keeps them all.
import http from 'node:http';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '../emulator/free-port';
import { newApiKey } from '../functions/domain/api-key';
import { spawnFunction, untilServing, type FunctionProcess } from './lib/function-process';
import { closedLoop, post, type Call } from './lib/http-client';
import { busyCoresSince, machineCpu, machineLine, waitForQuiet } from './lib/machine';
import { BENCH_SERVERS } from './lib/paths';
import { median, round } from './lib/stats';
import { uploadUrlCall } from './lib/upload-url-call';
import { BENCH_ORGANIZATION_ID } from './servers/bench-tenant';

// The floor the request path must keep (issue 19: 0.76–0.86 measured before it went back to plain async/await).
const GUARD = 0.7;
// A pair counts as quiet when other work took less than this many cores during both of its runs.
const QUIET_OTHERS = 0.25;

interface Run {
  rps: number;
  /** the server's CPU use during the run, in cores */
  serverCores: number;
  /** the bench process's own CPU use, in cores: near 1 means the client, not the server, was the limit */
  clientCores: number;
  /** CPU use by everything else on the machine, in cores: other work competing for the two cores */
  otherCores: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      concurrency: { type: 'string', default: '16' },
      seconds: { type: 'string', default: '3' },
      pairs: { type: 'string', default: '9' },
      warmup: { type: 'string', default: '10' },
      'wait-quiet': { type: 'string', default: '300' },
      retained: { type: 'boolean', default: false },
      baseline: { type: 'string' },
    },
  });
  const concurrency = Number(values.concurrency);
  const durationMs = Number(values.seconds) * 1000;
  const pairs = Number(values.pairs);
  const warmupMs = Number(values.warmup) * 1000;
  console.log(await waitForQuiet(Number(values['wait-quiet']) * 1000));
  console.log(`overhead: ${machineLine()}`);
  console.log(`concurrency ${concurrency}, ${pairs} A/B pairs of ${values.seconds} s, ${values.warmup} s warm-up each`);

  const apiKey = newApiKey();
  const started: FunctionProcess[] = [];
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  try {
    const filesEnv = { FILES_BUCKET: 'bench-bucket', GOOGLE_CLOUD_PROJECT: 'bench-project', BENCH_API_KEY: apiKey, BENCH_LATENCY_MS: '0' };
    const files = spawnFunction({
      source: join(BENCH_SERVERS, 'files-in-memory.js'),
      target: 'files',
      port: await freePort(),
      env: filesEnv,
    });
    started.push(files);
    await untilServing(files);
    const retained = values.retained
      ? spawnFunction({
          source: join(BENCH_SERVERS, 'files-in-memory.js'),
          target: 'files',
          port: await freePort(),
          env: { ...filesEnv, BENCH_RETAIN_STORE: '1' },
        })
      : undefined;
    if (retained) {
      started.push(retained);
      await untilServing(retained);
    }
    const baseline = values.baseline
      ? spawnFunction({ source: resolve(values.baseline), target: 'files', port: await freePort(), env: filesEnv })
      : undefined;
    if (baseline) {
      started.push(baseline);
      await untilServing(baseline);
    }
    const filesCall = uploadUrlCall(files.url, BENCH_ORGANIZATION_ID, apiKey);
    const retainedCall = retained && { ...filesCall, url: new URL(filesCall.url.pathname, retained.url) };
    const baselineCall = baseline && { ...filesCall, url: new URL(filesCall.url.pathname, baseline.url) };
    const sample = await post(agent, filesCall);
    if (sample.status !== 200) throw new Error(`files answered ${sample.status}: ${sample.body}`);
    const bytes = Buffer.byteLength(sample.body);

    const bare = spawnFunction({
      source: join(BENCH_SERVERS, 'bare.js'),
      target: 'bare',
      port: await freePort(),
      env: { BENCH_BODY_BYTES: String(bytes) },
    });
    started.push(bare);
    await untilServing(bare);
    // The same request goes to both: the bare function's framework parses the same body.
    const bareCall = { ...filesCall, url: new URL(filesCall.url.pathname, bare.url) };
    const bareSample = await post(agent, bareCall);
    if (bareSample.status !== 200 || Buffer.byteLength(bareSample.body) !== bytes) {
      throw new Error(`bare answered ${bareSample.status} with ${Buffer.byteLength(bareSample.body)} bytes, not ${bytes}`);
    }
    console.log(`answer body: ${bytes} bytes from both`);

    const measure = async (fn: FunctionProcess, call: Call, ms = durationMs): Promise<Run> => {
      const serverBefore = fn.cpuSeconds();
      const clientBefore = process.cpuUsage();
      const machineBefore = machineCpu();
      const result = await closedLoop(agent, () => call, concurrency, ms);
      if (result.failed > 0) throw new Error(`${result.failed} requests failed, e.g. ${result.lastFailure}`);
      const machineCores = busyCoresSince(machineBefore);
      const client = process.cpuUsage(clientBefore);
      const serverCores = (fn.cpuSeconds() - serverBefore) / result.seconds;
      const clientCores = (client.user + client.system) / 1e6 / result.seconds;
      return {
        rps: result.ok / result.seconds,
        serverCores,
        clientCores,
        otherCores: Math.max(0, machineCores - serverCores - clientCores),
      };
    };

    // Both servers JIT-optimised and their sockets open before anything counts.
    await measure(files, filesCall, warmupMs);
    await measure(bare, bareCall, warmupMs);
    if (retained && retainedCall) await measure(retained, retainedCall, warmupMs);
    if (baseline && baselineCall) await measure(baseline, baselineCall, warmupMs);
    const retainedRatios: number[] = [];
    const baselineRatios: number[] = [];
    const ratios: number[] = [];
    // Requests per CPU-second of the server: what each request costs, whatever else the machine is doing.
    const cpuRatios: number[] = [];
    const filesRuns: Run[] = [];
    const bareRuns: Run[] = [];
    const baselineCpuRatios: number[] = [];
    // files over the baseline build, run by run: the change's own effect.
    const changeRatios: number[] = [];
    for (let pair = 1; pair <= pairs; pair++) {
      // With a baseline, bare runs between the two builds, and which build goes first alternates.
      const baselineFirst = baseline && baselineCall && pair % 2 === 0 ? await measure(baseline, baselineCall) : undefined;
      const a = await measure(files, filesCall);
      const b = await measure(bare, bareCall);
      if (retained && retainedCall) {
        const c = await measure(retained, retainedCall);
        retainedRatios.push(c.rps / c.serverCores / (b.rps / b.serverCores));
        console.log(
          `pair ${pair}: files, store retained ${c.rps.toFixed(0)} req/s, per CPU-second ratio to bare ${round(retainedRatios.at(-1)!, 3)}`,
        );
      }
      const d = baselineFirst ?? (baseline && baselineCall ? await measure(baseline, baselineCall) : undefined);
      if (d) {
        baselineRatios.push(d.rps / b.rps);
        baselineCpuRatios.push(d.rps / d.serverCores / (b.rps / b.serverCores));
        changeRatios.push(a.rps / d.rps);
        console.log(
          `pair ${pair}: baseline ${d.rps.toFixed(0)} req/s (server ${d.serverCores.toFixed(2)}, others ${d.otherCores.toFixed(2)} cores), ` +
            `ratio to bare ${round(baselineRatios.at(-1)!, 3)}, per CPU-second ${round(baselineCpuRatios.at(-1)!, 3)}`,
        );
      }
      filesRuns.push(a);
      bareRuns.push(b);
      ratios.push(a.rps / b.rps);
      cpuRatios.push(a.rps / a.serverCores / (b.rps / b.serverCores));
      const cores = (r: Run) =>
        `server ${r.serverCores.toFixed(2)}, client ${r.clientCores.toFixed(2)}, others ${r.otherCores.toFixed(2)} cores`;
      console.log(
        `pair ${pair}: files ${a.rps.toFixed(0)} req/s (${cores(a)}), bare ${b.rps.toFixed(0)} req/s (${cores(b)}), ratio ${(a.rps / b.rps).toFixed(3)}`,
      );
    }
    const ratio = median(ratios);
    console.log(
      `median: files ${median(filesRuns.map((r) => r.rps)).toFixed(0)} req/s, bare ${median(bareRuns.map((r) => r.rps)).toFixed(0)} req/s; ` +
        `ratio files/bare ${round(ratio, 3)} (pairs ${round(Math.min(...ratios), 3)}–${round(Math.max(...ratios), 3)})`,
    );
    const quiet = ratios.filter((_, i) => filesRuns[i].otherCores < QUIET_OTHERS && bareRuns[i].otherCores < QUIET_OTHERS);
    console.log(
      quiet.length > 0
        ? `quiet pairs (others < ${QUIET_OTHERS} cores): ${quiet.length} of ${pairs}, median ratio ${round(median(quiet), 3)}`
        : `no quiet pair (others < ${QUIET_OTHERS} cores): the machine was busy throughout; measure again`,
    );
    const perCpu = (runs: Run[]) => median(runs.map((r) => r.rps / r.serverCores)).toFixed(0);
    console.log(
      `requests per server CPU-second: files ${perCpu(filesRuns)}, bare ${perCpu(bareRuns)}; median ratio ${round(median(cpuRatios), 3)} ` +
        `(pairs ${round(Math.min(...cpuRatios), 3)}–${round(Math.max(...cpuRatios), 3)})`,
    );
    if (retainedRatios.length > 0) {
      console.log(
        `files with the store retained: requests per server CPU-second, median ratio to bare ${round(median(retainedRatios), 3)}`,
      );
    }
    if (baselineRatios.length > 0) {
      console.log(
        `baseline ${values.baseline}: median ratio to bare ${round(median(baselineRatios), 3)} ` +
          `(pairs ${round(Math.min(...baselineRatios), 3)}–${round(Math.max(...baselineRatios), 3)}); ` +
          `per server CPU-second ${round(median(baselineCpuRatios), 3)} ` +
          `(pairs ${round(Math.min(...baselineCpuRatios), 3)}–${round(Math.max(...baselineCpuRatios), 3)})`,
      );
      console.log(
        `files/baseline: median ${round(median(changeRatios), 3)} (pairs ${round(Math.min(...changeRatios), 3)}–${round(Math.max(...changeRatios), 3)})`,
      );
    }
    console.log(`after: ${machineLine()}`);
    const passed = ratio >= GUARD;
    const busy = quiet.length === 0 ? ' (no quiet pair: the machine was busy throughout, so re-run a FAIL on a quiet one)' : '';
    console.log(`guard: files/bare ${round(ratio, 3)} ${passed ? '≥' : '<'} ${GUARD}: ${passed ? 'PASS' : 'FAIL'}${busy}`);
    if (!passed) process.exitCode = 1;
  } finally {
    agent.destroy();
    await Promise.all(started.map((fn) => fn.stop()));
  }
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exitCode = 1;
});
