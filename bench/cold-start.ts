// Cold start: from spawning functions-framework's CLI to the first 200 of
// POST …/upload-url, for the real function (against the Firestore and storage
// emulators), for the idiomatic function (bench/servers/idiomatic.ts: what a
// team would write with the official clients, unbundled, doing the same key and
// membership reads, session start and record create) and for a bare function
// (the limit), N runs each, interleaved. The goal: the files function's first
// 200 at most GOAL × the idiomatic function's. Also reports
// when the port first accepted a connection (modules loaded, server listening)
// and the CPU time the process had used by its first 200, which a busy machine
// disturbs less than wall time.
//
//   node dist/bench/cold-start.js [--runs 10] [--variant NAME=PATH]... [--unprimed NAME=PATH]... [--env NAME=VALUE]...
//       [--node-arg ARG]... [--node PATH]... [--wait-quiet 300]
//
// Variants measured by default: bare, idiomatic, tsc (dist/functions/index.js, unbundled)
// and bundle (dist/deploy/index.js, from `npm run bundle`). --variant adds more
// builds of the files function. A deployable (scripts/bundle.js's output) is
// first built as Cloud Build does, its gcp-build step priming its compile
// cache with each runtime, and every run starts from that primed cache, as
// every new instance does (an instance's own writes to it die with it);
// --unprimed adds a deployable whose cache is emptied before each run instead.
// --env adds to the files function's environment
// (e.g. METADATA_SERVER_DETECTION=none); --node-arg passes options such as --cpu-prof.
// --node runs every variant on that node binary too (e.g. Node 24, the deploy
// runtime, from .ci/node24.sh), interleaved with the bench's own node; each
// runtime's ratios are to the bare function on the same runtime.
// --wait-quiet: seconds to wait, at most, for the machine to be idle before measuring (0: do not wait).
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '../emulator/free-port';
import { startEmulatorStack, type EmulatorStack } from './lib/emulator-stack';
import { spawnFunction } from './lib/function-process';
import type { Call } from './lib/http-client';
import { busyCoresSince, machineCpu, machineLine, processCpuSeconds, waitForQuiet } from './lib/machine';
import { BENCH_SERVERS, ROOT } from './lib/paths';
import { median, round } from './lib/stats';
import { uploadUrlCall } from './lib/upload-url-call';

const GOAL = 0.6;
const POLL_MS = 10;
const FIRST_200_TIMEOUT_MS = 30_000;
// Lets the previous process's exit (and the emulators' work for it) settle before the next spawn.
const PAUSE_MS = 500;
// A run counts as quiet when other work took less than this many cores during it.
const QUIET_OTHERS = 0.25;

interface Variant {
  name: string;
  source: string;
  target: string;
  /** a deployable measured without the compile cache its build step would prime */
  unprimed?: boolean;
  /** a deployable's compile cache: reset before each run to the copy primed by its build step, or emptied if unprimed */
  compileCache?: { dir: string; primedCopy?: string };
}

// scripts/bundle.js's deployable: its build step, and the cache directory the entry enables.
const PRIME_SCRIPT = 'prime-compile-cache.js';
const COMPILE_CACHE = '.compile-cache';

interface Runtime {
  /** the node binary */
  node: string;
  /** its version, e.g. v24.1.0 */
  version: string;
}

interface ColdStart {
  /** the round it ran in: every variant runs once a round */
  round: number;
  /** spawn to the first accepted connection */
  listeningMs: number;
  /** spawn to the first 200 */
  firstOkMs: number;
  /** CPU seconds the process had used by then */
  cpuSeconds: number;
  /** cores used meanwhile by everything but the function, the emulators and the bench */
  otherCores: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '10' },
      variant: { type: 'string', multiple: true, default: [] },
      unprimed: { type: 'string', multiple: true, default: [] },
      env: { type: 'string', multiple: true, default: [] },
      'node-arg': { type: 'string', multiple: true, default: [] },
      node: { type: 'string', multiple: true, default: [] },
      'wait-quiet': { type: 'string', default: '300' },
    },
  });
  const runs = Number(values.runs);
  const variants: Variant[] = [
    { name: 'bare', source: join(BENCH_SERVERS, 'bare.js'), target: 'bare' },
    { name: 'idiomatic', source: join(BENCH_SERVERS, 'idiomatic.js'), target: 'idiomatic' },
    { name: 'tsc', source: join(ROOT, 'dist', 'functions', 'index.js'), target: 'files' },
    { name: 'bundle', source: join(ROOT, 'dist', 'deploy', 'index.js'), target: 'files' },
    ...values.variant.map((spec) => namedVariant(spec, '--variant')),
    ...values.unprimed.map((spec) => ({ ...namedVariant(spec, '--unprimed'), unprimed: true })),
  ];
  const extraEnv = Object.fromEntries(
    values.env.map((spec) => {
      const at = spec.indexOf('=');
      if (at < 1) throw new Error(`--env wants NAME=VALUE, not ${spec}`);
      return [spec.slice(0, at), spec.slice(at + 1)];
    }),
  );
  for (const v of variants) {
    if (!existsSync(v.source)) throw new Error(`${v.source} is missing: run \`npm run build\` and \`npm run bundle\` first`);
  }
  const runtimes: Runtime[] = [process.execPath, ...values.node.map((n) => resolvePath(n))].map((node) => ({
    node,
    version: execFileSync(node, ['-v'], { encoding: 'utf8' }).trim(),
  }));
  console.log(await waitForQuiet(Number(values['wait-quiet']) * 1000));
  console.log(`cold start: ${machineLine()}`);
  if (values.env.length > 0) console.log(`files function environment adds ${values.env.join(' ')}`);

  let stack: EmulatorStack | undefined;
  const primedCaches = mkdtempSync(join(tmpdir(), 'files-api-bench-compile-cache-'));
  try {
    for (const [i, v] of variants.entries()) {
      if (!existsSync(join(dirname(v.source), PRIME_SCRIPT))) continue;
      v.compileCache = { dir: join(dirname(v.source), COMPILE_CACHE) };
      if (!v.unprimed) v.compileCache.primedCopy = primeCompileCache(v, runtimes, join(primedCaches, String(i)));
    }
    stack = await startEmulatorStack();
    const key = (runtime: Runtime, variant: Variant) => `${runtime.version} ${variant.name}`;
    const results = new Map<string, ColdStart[]>();
    // Every (runtime, variant) pair once a round, rotated each round, so no pair always runs first (or right after another).
    const pairs = runtimes.flatMap((runtime) => variants.map((variant) => ({ runtime, variant })));
    for (let round = 0; round < runs; round++) {
      for (let i = 0; i < pairs.length; i++) {
        const { runtime, variant } = pairs[(round + i) % pairs.length];
        const env = { ...stack.functionEnv, ...extraEnv };
        resetCompileCache(variant);
        const result = { round, ...(await coldStart(variant, runtime.node, env, stack, values['node-arg'])) };
        results.set(key(runtime, variant), [...(results.get(key(runtime, variant)) ?? []), result]);
        await new Promise((r) => setTimeout(r, PAUSE_MS));
      }
    }

    console.log(`${runs} runs each; medians (spawn → listening, spawn → first 200, CPU by then):`);
    for (const runtime of runtimes) {
      console.log(`node ${runtime.version} (${runtime.node}):`);
      const bare = results.get(key(runtime, variants[0])) ?? [];
      const idiomatic = results.get(key(runtime, variants[1])) ?? [];
      const quietBare = bare.filter(isQuiet);
      const quietIdiomatic = idiomatic.filter(isQuiet);
      for (const v of variants) {
        const rs = results.get(key(runtime, v)) ?? [];
        const files = v.target === 'files';
        console.log(`  ${v.name.padEnd(12)} ${summary(rs, bare, idiomatic, v.name !== 'bare', files)}`);
        const quiet = rs.filter(isQuiet);
        if (quiet.length > 0 && quietBare.length > 0 && quietIdiomatic.length > 0) {
          const counts = `${quiet.length}, bare ${quietBare.length}, idiomatic ${quietIdiomatic.length}`;
          console.log(
            `  ${''.padEnd(12)} quiet runs only (${counts}): ${summary(quiet, quietBare, quietIdiomatic, v.name !== 'bare', files)}`,
          );
        }
        const runsLine = rs.map((r) => `${r.firstOkMs.toFixed(0)} [${r.otherCores.toFixed(2)}]`).join(' ');
        console.log(`  ${''.padEnd(12)} first 200 [cores other work used meanwhile], every run: ${runsLine}`);
      }
    }
    console.log(`after: ${machineLine()}`);
  } finally {
    await stack?.stop();
    rmSync(primedCaches, { recursive: true, force: true });
  }
}

function namedVariant(spec: string, option: string): Variant {
  const [name, path] = spec.split('=');
  if (!name || !path) throw new Error(`${option} wants NAME=PATH, not ${spec}`);
  return { name, source: resolvePath(ROOT, path), target: 'files' };
}

/** Runs the deployable's gcp-build step with each runtime (their caches live side by side) and keeps a copy of the
 * result; none where no runtime has a compile cache (Node 20). */
function primeCompileCache(variant: Variant, runtimes: Runtime[], copy: string): string | undefined {
  const dir = join(dirname(variant.source), COMPILE_CACHE);
  rmSync(dir, { recursive: true, force: true });
  for (const { node } of runtimes) {
    execFileSync(node, [PRIME_SCRIPT], { cwd: dirname(variant.source), env: { PATH: process.env.PATH }, stdio: 'ignore' });
  }
  if (!existsSync(dir)) return undefined;
  cpSync(dir, copy, { recursive: true });
  console.log(`${variant.name}: compile cache primed by ${PRIME_SCRIPT} with ${runtimes.map((r) => r.version).join(', ')}`);
  return copy;
}

function resetCompileCache(variant: Variant): void {
  const cache = variant.compileCache;
  if (!cache) return;
  rmSync(cache.dir, { recursive: true, force: true });
  if (cache.primedCopy) cpSync(cache.primedCopy, cache.dir, { recursive: true });
}

const isQuiet = (r: ColdStart) => r.otherCores < QUIET_OTHERS;

/** Medians, and the ratios of the first 200 (and of the CPU by then) to the bare function's and, for a files variant,
 * to the idiomatic function's, with the goal's verdict and the spread of the ratios between runs of one round. */
function summary(rs: ColdStart[], bare: ColdStart[], idiomatic: ColdStart[], toBare: boolean, toIdiomatic: boolean): string {
  const firstOk = median(rs.map((r) => r.firstOkMs));
  const cpu = median(rs.map((r) => r.cpuSeconds));
  const line = `listening ${median(rs.map((r) => r.listeningMs)).toFixed(0)} ms, first 200 ${firstOk.toFixed(0)} ms, CPU ${(cpu * 1000).toFixed(0)} ms`;
  const ratios = (to: ColdStart[], name: string) => {
    const ratio = firstOk / median(to.map((r) => r.firstOkMs));
    const cpuRatio = cpu / median(to.map((r) => r.cpuSeconds));
    const rounds = rs.flatMap((r) => {
      const other = to.find((t) => t.round === r.round);
      return other ? [r.firstOkMs / other.firstOkMs] : [];
    });
    const spread = rounds.length > 1 ? ` (rounds ${round(Math.min(...rounds), 2)}–${round(Math.max(...rounds), 2)})` : '';
    return { ratio, text: `; ${round(ratio, 2)}× ${name}${spread}, CPU ${round(cpuRatio, 2)}× ${name}` };
  };
  const vsBare = toBare ? ratios(bare, 'bare').text : '';
  if (!toIdiomatic) return line + vsBare;
  const vsIdiomatic = ratios(idiomatic, 'idiomatic');
  return `${line}${vsBare}${vsIdiomatic.text} (goal ≤ ${GOAL}: ${vsIdiomatic.ratio <= GOAL ? 'met' : 'MISSED'})`;
}

async function coldStart(
  variant: Variant,
  node: string,
  filesEnv: Record<string, string>,
  stack: EmulatorStack,
  nodeArgs: string[],
): Promise<Omit<ColdStart, 'round'>> {
  const port = await freePort();
  // The bare function's default answer has the size of an upload-url answer against the emulators.
  const env = variant.target === 'bare' ? {} : filesEnv;
  const call = uploadUrlCall(`http://127.0.0.1:${port}`, stack.organizationId, stack.apiKey);
  const supporting = () => {
    const own = process.cpuUsage();
    return stack.pids.reduce((sum, pid) => sum + processCpuSeconds(pid), (own.user + own.system) / 1e6);
  };
  const supportingBefore = supporting();
  const machineBefore = machineCpu();
  const spawnedAt = performance.now();
  const fn = spawnFunction({ source: variant.source, target: variant.target, port, env, nodeArgs, node });
  let exited: string | undefined;
  void fn.exited.then((why) => (exited = why));
  try {
    let listeningAt: number | undefined;
    let last = 'no answer';
    const deadline = spawnedAt + FIRST_200_TIMEOUT_MS;
    while (performance.now() < deadline) {
      const status = await attempt(call, () => (listeningAt ??= performance.now()));
      if (status === 200) {
        const firstOkMs = performance.now() - spawnedAt;
        const cpuSeconds = fn.cpuSeconds();
        const ours = (cpuSeconds + supporting() - supportingBefore) / (firstOkMs / 1000);
        const otherCores = Math.max(0, busyCoresSince(machineBefore) - ours);
        return { listeningMs: (listeningAt ?? NaN) - spawnedAt, firstOkMs, cpuSeconds, otherCores };
      }
      if (status !== undefined) last = `status ${status}`;
      if (exited) throw new Error(`${variant.name}: ${exited}`);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    throw new Error(`${variant.name}: no 200 within ${FIRST_200_TIMEOUT_MS} ms (last: ${last})`);
  } finally {
    await fn.stop();
  }
}

/** One POST on a fresh connection: its status, or undefined if nothing listens yet. */
function attempt(call: Call, onConnect: () => void): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = http.request(
      call.url,
      {
        method: 'POST',
        agent: false,
        headers: { ...call.headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(call.body) },
        timeout: FIRST_200_TIMEOUT_MS,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
        res.on('error', () => resolve(undefined));
      },
    );
    req.on('socket', (socket) => socket.once('connect', onConnect));
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end(call.body);
  });
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exitCode = 1;
});
