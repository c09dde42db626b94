// upload-url against the floor, on the same emulators: the real `files`
// function (dist/functions/index.js under functions-framework's CLI) and a bare
// function doing the design's unavoidable work with raw calls: start the
// resumable session, then create the record holding its URI
// (bench/servers/bare-backend.ts, BENCH_FLOOR=session-then-record). One
// keep-alive client calls them one request at a time, alternating (the order
// rotated every round), so all see the same machine; the figure is the ratio of
// the median latencies. A third side, the bare function that creates the record
// and starts the session concurrently (no URI on the record), is the one-step
// floor no design that keeps the URI durable can reach (see docs/DESIGN.md, the critical path). --wait-quiet: seconds to wait, at most, for an idle machine.
// --count-calls: tally each function's backend calls (gRPC methods, HTTP
// requests) per request. --cpu-prof DIR: a V8 CPU profile of each function.
// --compare FILE: another build of functions/index.js (say, main's) as a fourth side.
// --without-outbox: the same build with the record writes' events left out
// (bench/lib/no-outbox.ts preloaded) as one more side: what the outbox costs.
//
//   node dist/bench/upload-url-vs-bare.js [--rounds 300] [--warmup 30] [--wait-quiet 300] [--count-calls] [--cpu-prof DIR] [--compare FILE] [--without-outbox]
import http from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '../emulator/free-port';
import { startEmulatorStack } from './lib/emulator-stack';
import { spawnFunction, untilServing, type FunctionProcess } from './lib/function-process';
import { post, type Call } from './lib/http-client';
import { busyCoresSince, machineCpu, machineLine, processCpuSeconds, waitForQuiet } from './lib/machine';
import { BENCH_SERVERS, ROOT } from './lib/paths';
import { median, percentile, round } from './lib/stats';
import { uploadUrlCall } from './lib/upload-url-call';
import { UNREACHABLE_LIMITS_ENV } from './lib/unreachable-limits';

const GOAL = 1.15;

interface Side {
  name: string;
  fn: FunctionProcess;
  call: () => Call;
  ms: number[];
  countsFile?: string;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: '300' },
      warmup: { type: 'string', default: '30' },
      'wait-quiet': { type: 'string', default: '300' },
      'count-calls': { type: 'boolean', default: false },
      'cpu-prof': { type: 'string' },
      compare: { type: 'string' },
      'without-outbox': { type: 'boolean', default: false },
    },
  });
  const rounds = Number(values.rounds);
  const warmup = Number(values.warmup);
  const countDir = values['count-calls'] ? mkdtempSync(join(tmpdir(), 'files-api-bench-counts-')) : undefined;
  const nodeArgs = (countsFile?: string) => [
    ...(countsFile ? ['-r', join(__dirname, 'lib', 'count-backend-calls.js')] : []),
    ...(values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${values['cpu-prof']}`] : []),
  ];

  const stack = await startEmulatorStack();
  const sides: Side[] = [];
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const filesFunction = (name: string, source: string, preload: string[] = []) => {
      const countsFile = countDir && join(countDir, `${name}.json`);
      return {
        countsFile,
        fn: spawnFunction({
          source,
          target: 'files',
          port: ports.shift() as number,
          nodeArgs: [...preload, ...nodeArgs(countsFile)],
          env: {
            ...stack.functionEnv,
            ...UNREACHABLE_LIMITS_ENV,
            ...(countsFile ? { BENCH_CALL_COUNTS: countsFile } : {}),
          },
        }),
      };
    };
    const bareFunction = (name: string, sessionFirst: boolean) => {
      const countsFile = countDir && join(countDir, `${name}.json`);
      return {
        countsFile,
        fn: spawnFunction({
          source: join(BENCH_SERVERS, 'bare-backend.js'),
          target: 'bareBackend',
          port: ports.shift() as number,
          nodeArgs: nodeArgs(countsFile),
          env: {
            ...stack.functionEnv,
            BENCH_ORGANIZATION_ID: stack.organizationId,
            BENCH_FLOOR: sessionFirst ? 'session-then-record' : 'concurrent',
            METADATA_SERVER_DETECTION: 'none',
            ...(countsFile ? { BENCH_CALL_COUNTS: countsFile } : {}),
          },
        }),
      };
    };
    const ports = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
    const filesSide = filesFunction('files', join(ROOT, 'dist', 'functions', 'index.js'));
    const files = filesSide.fn;
    const floor = bareFunction('bare-floor', true);
    const oneStep = bareFunction('bare-one-step', false);
    const filesCall = uploadUrlCall(files.url, stack.organizationId, stack.apiKey);
    const callTo = (fn: FunctionProcess) => () => ({ ...filesCall, url: new URL(filesCall.url.pathname, fn.url) });
    sides.push(
      { name: 'upload-url (files)', fn: files, call: () => filesCall, ms: [], countsFile: filesSide.countsFile },
      { name: 'bare session, then record', fn: floor.fn, call: callTo(floor.fn), ms: [], countsFile: floor.countsFile },
      { name: 'bare record ‖ session', fn: oneStep.fn, call: callTo(oneStep.fn), ms: [], countsFile: oneStep.countsFile },
    );
    if (values.compare) {
      const other = filesFunction('compare', values.compare);
      sides.push({ name: 'upload-url (--compare)', fn: other.fn, call: callTo(other.fn), ms: [], countsFile: other.countsFile });
    }
    if (values['without-outbox']) {
      const source = join(ROOT, 'dist', 'functions', 'index.js');
      const bare = filesFunction('no-outbox', source, ['-r', join(__dirname, 'lib', 'no-outbox.js')]);
      sides.push({ name: 'upload-url, no outbox', fn: bare.fn, call: callTo(bare.fn), ms: [], countsFile: bare.countsFile });
    }
    await Promise.all(sides.map((side) => untilServing(side.fn)));
    const timed = async (side: Side): Promise<number> => {
      const started = performance.now();
      const answer = await post(agent, side.call());
      const ms = performance.now() - started;
      if (answer.status !== 200) throw new Error(`${side.name} answered ${answer.status}: ${answer.body}`);
      return ms;
    };
    // First calls build the clients' channels and warm the JIT on both sides.
    for (let i = 0; i < warmup; i++) for (const side of sides) await timed(side);

    console.log(await waitForQuiet(Number(values['wait-quiet']) * 1000));
    const before = machineLine();
    console.log(`upload-url vs bare: ${before}`);
    console.log(`${rounds} rounds, one request to each per round (order rotated every round), ${warmup} warm-up each`);
    const countsBefore = await Promise.all(sides.map(readCounts));
    const pids = [...sides.map((s) => s.fn.pid), ...stack.pids];
    const cpu0 = sides.map((s) => s.fn.cpuSeconds());
    const all0 = pids.map(processCpuSeconds);
    const self0 = process.cpuUsage();
    const machine0 = machineCpu();
    for (let i = 0; i < rounds; i++) {
      for (let j = 0; j < sides.length; j++) {
        const side = sides[(i + j) % sides.length];
        side.ms.push(await timed(side));
      }
    }
    const busy = busyCoresSince(machine0);
    const seconds = (performance.now() - machine0.at) / 1000;
    const self = process.cpuUsage(self0);
    const ours = pids.map(processCpuSeconds).reduce((a, b) => a + b, 0) - all0.reduce((a, b) => a + b, 0) + (self.user + self.system) / 1e6;
    const countsAfter = await Promise.all(sides.map(readCounts));

    for (const [i, side] of sides.entries()) {
      const cpuMs = ((side.fn.cpuSeconds() - cpu0[i]) * 1000) / rounds;
      console.log(
        `${side.name.padEnd(22)}: median ${round(median(side.ms), 2)} ms, p90 ${round(percentile(side.ms, 90), 2)} ms, ` +
          `min ${round(Math.min(...side.ms), 2)} ms; function CPU ${round(cpuMs, 2)} ms per request`,
      );
      if (side.countsFile) console.log(`  backend calls per request: ${perRequest(countsBefore[i], countsAfter[i], rounds)}`);
    }
    if (values.compare) {
      const ratio = median(sides[3].ms) / median(sides[1].ms);
      console.log(`--compare / bare session, then record: ratio of medians ${round(ratio, 3)}`);
    }
    for (const [i, floor] of sides.slice(1).entries()) {
      const ratio = median(sides[0].ms) / median(floor.ms);
      const perRound = median(sides[0].ms.map((ms, r) => ms / floor.ms[r]));
      const verdict = i === 0 ? ` (goal ≤ ${GOAL}: ${ratio <= GOAL ? 'met' : 'MISSED'})` : '';
      console.log(`files / ${floor.name}: ratio of medians ${round(ratio, 3)}${verdict}; median of per-round ratios ${round(perRound, 3)}`);
    }
    console.log(
      `machine busy ${round(busy, 2)} cores over ${round(seconds, 1)} s, others (not the bench, functions, emulators) ${round(busy - ours / seconds, 2)}`,
    );
    console.log(`after: ${machineLine()}`);
  } finally {
    agent.destroy();
    await Promise.all(sides.map((s) => s.fn.stop()));
    await stack.stop();
    if (countDir) rmSync(countDir, { recursive: true, force: true });
  }
}

/** The side's tally so far (SIGUSR2 to its preload, then the file it writes). */
async function readCounts(side: Side): Promise<Record<string, number>> {
  if (!side.countsFile) return {};
  rmSync(side.countsFile, { force: true });
  process.kill(side.fn.pid, 'SIGUSR2');
  for (let i = 0; i < 100 && !existsSync(side.countsFile); i++) await new Promise((r) => setTimeout(r, 20));
  return JSON.parse(readFileSync(side.countsFile, 'utf8')) as Record<string, number>;
}

function perRequest(before: Record<string, number>, after: Record<string, number>, requests: number): string {
  const lines = Object.entries(after)
    .map(([what, n]) => [what, (n - (before[what] ?? 0)) / requests] as const)
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => a.localeCompare(b));
  const total = lines.reduce((sum, [, n]) => sum + n, 0);
  return `${round(total, 2)} in all: ${lines.map(([what, n]) => `${what} ${round(n, 2)}`).join(', ')}`;
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exitCode = 1;
});
