// The direct upload (one POST …/files/upload) against upload-url + PUT +
// register of the same file, through the same SDK client, alternating, and
// the function's resident memory while it streams direct uploads from 1 MiB
// to the cap; with STORAGE_PID, the CPU each way costs the function and the
// storage emulator per upload (all threads, from /proc: less swayed by other
// work on the machine than wall time). Against a running local stack:
//   npm start   (then, with the key it prints and the files function's and storage emulator's pids:)
//   BASE_URL=http://127.0.0.1:8080 API_KEY=ak_… ORG=org_demo FUNCTION_PID=$(pgrep -f 'serve-function.js .* files ') \
//     STORAGE_PID=$(pgrep -f '^[^ ]+ [^ ]*gcs-emulator/dist/main.js') node dist/bench/direct-upload.js
// BASELINE_URLS (comma-separated) adds, interleaved in the same rounds, the same two ways through other
// files function hosts (another build, against the same or other emulators): a lever is measured side
// by side with the build before it. SIZES (MiB, comma-separated; default 1,20) and RSS=0 narrow the run.
import { FilesClient } from '@files-api/sdk';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { machineLine, processCpuSeconds } from './lib/machine';

const MIB = 1024 * 1024;
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const env = (name: string) => process.env[name] ?? (console.error(`${name} is required`), process.exit(2));

const clientOf = (baseUrl: string) => new FilesClient({ baseUrl, apiKey: env('API_KEY'), organizationId: env('ORG') });
const client = clientOf(env('BASE_URL'));
const baselines = (process.env.BASELINE_URLS ?? '').split(',').filter(Boolean);
const SIZES = (process.env.SIZES ?? '1,20').split(',').map(Number);
const pid = Number(env('FUNCTION_PID'));
const storagePid = process.env.STORAGE_PID ? Number(process.env.STORAGE_PID) : undefined;
const rssMiB = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

const file = (size: number) => new Blob([Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(size - 9)])], { type: 'application/pdf' });
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

interface Way {
  upload: () => Promise<unknown>;
  ms: number[];
  /** CPU seconds of the function and of the storage emulator, summed over the rounds */
  cpu: [number, number];
}

const cpuNow = (): [number, number] => [processCpuSeconds(pid), storagePid ? processCpuSeconds(storagePid) : 0];

async function measure(way: Way): Promise<void> {
  const cpu = cpuNow();
  const start = process.hrtime.bigint();
  await way.upload();
  way.ms.push(Number(process.hrtime.bigint() - start) / 1e6);
  cpuNow().forEach((seconds, i) => (way.cpu[i] += seconds - cpu[i]));
}

const cpuPerUpload = (way: Way) =>
  `function ${((way.cpu[0] * 1000) / ROUNDS).toFixed(0)} ms` +
  (storagePid ? `, storage ${((way.cpu[1] * 1000) / ROUNDS).toFixed(0)} ms` : '');

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

async function main(): Promise<void> {
  console.log(`direct upload vs upload-url + PUT + register: ${machineLine()}`);
  for (const size of SIZES.map((mib) => mib * MIB)) {
    const blob = file(size);
    const sides = [env('BASE_URL'), ...baselines].map((url) => ({ url, ...ways(url === env('BASE_URL') ? client : clientOf(url), blob) }));
    // Alternating, each going first every other round.
    for (let round = 0; round < ROUNDS; round++) {
      const all = sides.flatMap((side) => [side.direct, side.session]);
      for (const way of round % 2 === 0 ? all : all.reverse()) await measure(way);
    }
    for (const { url, direct, session } of sides) {
      const [d, s] = [median(direct.ms), median(session.ms)];
      const label = sides.length > 1 ? ` via ${url}` : '';
      // Against the first side's direct upload of the same round: the load drifts less within a round than across the run.
      const paired = direct.ms.map((ms, round) => ms / sides[0].direct.ms[round]);
      console.log(
        `${size / MIB} MiB${label}: direct ${d.toFixed(1)} ms, upload-url+PUT+register ${s.toFixed(1)} ms (median of ${ROUNDS}), ratio ${(d / s).toFixed(2)}` +
          (url === env('BASE_URL') ? '' : `; direct / first side's direct, median of the rounds' ratios ${median(paired).toFixed(2)}`),
      );
      // The pids are the first side's: another side's CPU is not counted.
      if (url === env('BASE_URL')) {
        console.log(`  CPU per upload: direct ${cpuPerUpload(direct)}; upload-url+PUT+register ${cpuPerUpload(session)}`);
      }
    }
  }
  if (process.env.RSS === '0') return;
  console.log(`function RSS idle: ${rssMiB().toFixed(1)} MiB`);
  for (const size of [MIB, 4 * MIB, 16 * MIB, 30 * MIB - 64 * 1024]) {
    const blob = file(size);
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMiB())), 5);
    for (let round = 0; round < 3; round++) await client.uploadFile(blob, { filename: 'rss.pdf' });
    clearInterval(sampler);
    console.log(`direct ${(size / MIB).toFixed(2)} MiB x3: function peak RSS ${peak.toFixed(1)} MiB`);
  }
}

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});
