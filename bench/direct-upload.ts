// The direct upload (one POST …/files/upload) against upload-url + PUT +
// register of the same file, through the same SDK client, alternating, and
// the function's resident memory while it streams direct uploads from 1 MiB
// to the cap; the CPU each way costs the function and the storage emulator
// per upload (all threads, from /proc: less swayed by other work on the
// machine than wall time). By default it starts what it measures: both
// emulators, empty, and the built files function against them, with the cap
// at its most (32 000 000 bytes), then stops them:
//   npm run build && node dist/bench/direct-upload.js
// Against a running local stack instead (`npm start`: its Firestore autosave and the data it keeps add
// to both ways), with the key it prints and the files function's and storage emulator's pids:
//   BASE_URL=http://127.0.0.1:8080 API_KEY=ak_… ORG=org_demo FUNCTION_PID=$(pgrep -f 'serve-function.js .* files ') \
//     STORAGE_PID=$(pgrep -f '^[^ ]+ [^ ]*gcs-emulator/dist/main.js') node dist/bench/direct-upload.js
// BASELINE_URLS (comma-separated, with BASE_URL) adds, interleaved in the same rounds, the same two ways
// through other files function hosts (another build, against the same or other emulators): a lever is
// measured side by side with the build before it. Without BASE_URL, BASELINE_BUILD (the root of another
// checkout, built, its node_modules installed or linked) starts that build's files function on the same
// emulators for the same purpose. ROUNDS (default 7), SIZES (MiB, comma-separated; default 1,20) and
// RSS=0 shape the run.
import { FilesClient } from '@files-api/sdk';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../emulator/free-port';
import { startFilesFunction } from './lib/files-function-stack';
import { spawnFunction, untilServing, type FunctionProcess } from './lib/function-process';
import { machineLine, processCpuSeconds } from './lib/machine';

const MIB = 1024 * 1024;
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const SIZES = (process.env.SIZES ?? '1,20').split(',').map(Number);

/** What the rounds run against: the function's address and tenant, and whose CPU and memory is read. */
interface Target {
  baseUrl: string;
  apiKey: string;
  organizationId: string;
  functionPid: number;
  storagePids: number[];
  baselines: string[];
  /** the baselines' function pids, where known (a baseline this bench started) */
  baselinePids: number[];
  stop(): Promise<void>;
}

async function target(): Promise<Target> {
  const env = (name: string) => process.env[name] ?? (console.error(`${name} is required with BASE_URL`), process.exit(2));
  if (process.env.BASE_URL) {
    return {
      baseUrl: process.env.BASE_URL,
      apiKey: env('API_KEY'),
      organizationId: env('ORG'),
      functionPid: Number(env('FUNCTION_PID')),
      storagePids: process.env.STORAGE_PID ? [Number(process.env.STORAGE_PID)] : [],
      baselines: (process.env.BASELINE_URLS ?? '').split(',').filter(Boolean),
      baselinePids: [],
      stop: async () => undefined,
    };
  }
  const cap = { DIRECT_UPLOAD_MAX_BYTES: '32000000' };
  const own = await startFilesFunction(cap);
  const build = process.env.BASELINE_BUILD;
  let baseline: FunctionProcess | undefined;
  try {
    if (build) {
      const source = join(build, 'dist', 'functions', 'index.js');
      baseline = spawnFunction({ source, target: 'files', port: await freePort(), env: { ...own.stack.functionEnv, ...cap } });
      await untilServing(baseline);
    }
  } catch (error) {
    await baseline?.stop();
    await own.stop();
    throw error;
  }
  return {
    baseUrl: own.fn.url,
    apiKey: own.stack.apiKey,
    organizationId: own.stack.organizationId,
    functionPid: own.fn.pid,
    storagePids: own.stack.storagePids,
    baselines: baseline ? [baseline.url] : [],
    baselinePids: baseline ? [baseline.pid] : [],
    stop: async () => {
      await baseline?.stop();
      await own.stop();
    },
  };
}

const file = (size: number) => new Blob([Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(size - 9)])], { type: 'application/pdf' });
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

interface Way {
  upload: () => Promise<unknown>;
  ms: number[];
  /** CPU seconds of the function and of the storage emulator, summed over the rounds */
  cpu: [number, number];
}

const cpuOf = (pids: number[]) => pids.reduce((sum, pid) => sum + processCpuSeconds(pid), 0);
const rssMiB = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

function ways(through: FilesClient, blob: Blob): { direct: Way; session: Way } {
  return {
    direct: { upload: () => through.uploadFile(blob, { filename: 'bench.pdf' }), ms: [], cpu: [0, 0] },
    // chunkSize asks for a session; one chunk, and no client-side CRC32C, as the direct upload computes none.
    session: {
      upload: () => through.uploadFile(blob, { filename: 'bench.pdf', chunkSize: 32 * MIB, crc32c: false }),
      ms: [],
      cpu: [0, 0],
    },
  };
}

async function run(t: Target): Promise<void> {
  const clientOf = (baseUrl: string) => new FilesClient({ baseUrl, apiKey: t.apiKey, organizationId: t.organizationId });
  const client = clientOf(t.baseUrl);
  const cpuNow = (pid: number): [number, number] => [processCpuSeconds(pid), cpuOf(t.storagePids)];
  const measure = async (way: Way, pid: number) => {
    const cpu = cpuNow(pid);
    const start = process.hrtime.bigint();
    await way.upload();
    way.ms.push(Number(process.hrtime.bigint() - start) / 1e6);
    cpuNow(pid).forEach((seconds, i) => (way.cpu[i] += seconds - cpu[i]));
  };
  const cpuPerUpload = (way: Way) =>
    `function ${((way.cpu[0] * 1000) / ROUNDS).toFixed(0)} ms` +
    (t.storagePids.length > 0 ? `, storage ${((way.cpu[1] * 1000) / ROUNDS).toFixed(0)} ms` : '');

  console.log(`direct upload vs upload-url + PUT + register: ${machineLine()}`);
  for (const size of SIZES.map((mib) => mib * MIB)) {
    const blob = file(size);
    const pids = [t.functionPid, ...t.baselinePids];
    const sides = [t.baseUrl, ...t.baselines].map((url, i) => ({
      url,
      pid: pids[i] as number | undefined,
      ...ways(url === t.baseUrl ? client : clientOf(url), blob),
    }));
    // One untimed upload each way first: connections, channels and compiled code as the rounds will find them.
    for (const side of sides) await Promise.all([side.direct.upload(), side.session.upload()]);
    // Alternating, each going first every other round.
    for (let round = 0; round < ROUNDS; round++) {
      const all = sides.flatMap((side) => [side.direct, side.session].map((way) => ({ way, pid: side.pid ?? t.functionPid })));
      for (const { way, pid } of round % 2 === 0 ? all : all.reverse()) await measure(way, pid);
    }
    for (const { url, pid, direct, session } of sides) {
      const [d, s] = [median(direct.ms), median(session.ms)];
      const label = sides.length > 1 ? ` via ${url}` : '';
      // Against the first side's direct upload of the same round: the load drifts less within a round than across the run.
      const paired = direct.ms.map((ms, round) => ms / sides[0].direct.ms[round]);
      console.log(
        `${size / MIB} MiB${label}: direct ${d.toFixed(1)} ms, upload-url+PUT+register ${s.toFixed(1)} ms (median of ${ROUNDS}), ratio ${(d / s).toFixed(2)}` +
          (url === t.baseUrl ? '' : `; direct / first side's direct, median of the rounds' ratios ${median(paired).toFixed(2)}`),
      );
      // A baseline at an address only (BASELINE_URLS) has no pid here: its CPU is not counted.
      if (pid !== undefined) {
        console.log(`  CPU per upload: direct ${cpuPerUpload(direct)}; upload-url+PUT+register ${cpuPerUpload(session)}`);
      }
    }
  }
  if (process.env.RSS === '0') return;
  console.log(`function RSS idle: ${rssMiB(t.functionPid).toFixed(1)} MiB`);
  for (const size of [MIB, 4 * MIB, 16 * MIB, 30 * MIB - 64 * 1024]) {
    const blob = file(size);
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(t.functionPid))), 5);
    for (let round = 0; round < 3; round++) await client.uploadFile(blob, { filename: 'rss.pdf' });
    clearInterval(sampler);
    console.log(`direct ${(size / MIB).toFixed(2)} MiB x3: function peak RSS ${peak.toFixed(1)} MiB`);
  }
}

async function main(): Promise<void> {
  const t = await target();
  try {
    await run(t);
  } finally {
    await t.stop();
  }
}

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});
