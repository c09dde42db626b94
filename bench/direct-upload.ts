// The direct upload (one POST …/files/upload) against upload-url + PUT +
// register of the same file, through the same SDK client, alternating, and
// the function's resident memory while it streams direct uploads from 1 MiB
// to the cap. Against a running local stack:
//   npm start   (then, with the key it prints and the files function's pid:)
//   BASE_URL=http://127.0.0.1:8080 API_KEY=ak_… ORG=org_demo FUNCTION_PID=$(pgrep -f 'serve-function.js .* files ') \
//     node dist/bench/direct-upload.js
import { FilesClient } from '@files-api/sdk';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { machineLine } from './lib/machine';

const MIB = 1024 * 1024;
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const env = (name: string) => process.env[name] ?? (console.error(`${name} is required`), process.exit(2));

const client = new FilesClient({ baseUrl: env('BASE_URL'), apiKey: env('API_KEY'), organizationId: env('ORG') });
const pid = Number(env('FUNCTION_PID'));
const rssMiB = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

const file = (size: number) => new Blob([Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(size - 9)])], { type: 'application/pdf' });
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function timed(upload: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await upload();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

async function main(): Promise<void> {
  console.log(`direct upload vs upload-url + PUT + register: ${machineLine()}`);
  for (const size of [MIB, 20 * MIB]) {
    const blob = file(size);
    const direct: number[] = [];
    const session: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      direct.push(await timed(() => client.uploadFile(blob, { filename: 'bench.pdf' })));
      // chunkSize asks for a session; one chunk, and no client-side CRC32C, as the direct upload computes none.
      session.push(await timed(() => client.uploadFile(blob, { filename: 'bench.pdf', chunkSize: 32 * MIB, crc32c: false })));
    }
    const [d, s] = [median(direct), median(session)];
    console.log(
      `${size / MIB} MiB: direct ${d.toFixed(1)} ms, upload-url+PUT+register ${s.toFixed(1)} ms (median of ${ROUNDS}), ratio ${(d / s).toFixed(2)}`,
    );
  }
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
