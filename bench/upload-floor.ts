// For the same 1 GiB file on one stack, side by side in one run: `files upload` (the whole flow:
// checksum, upload-url, chunks, register) against the floor, one `curl -T` PUT of the same bytes
// into a fresh session; and the Python client (`python -m files_api upload`, the whole flow too)
// against `files`, with each one's peak RSS.
//
//   node dist/bench/upload-floor.js [--mib 1024] [--rounds 3]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFilesFunction } from './lib/files-function-stack';
import { machineLine } from './lib/machine';
import { flag, measure, type Measured } from './lib/measured-command';
import { ROOT } from './lib/paths';
import { writeRandomFile } from './lib/random-file';
import { median } from './lib/stats';

const CLI = join(ROOT, 'packages', 'cli', 'dist', 'main.js');
const MIB = 1024 * 1024;

async function main(): Promise<void> {
  const mib = flag('mib', 1024);
  const rounds = flag('rounds', 3);
  const work = mkdtempSync(join(tmpdir(), 'bench-upload-floor-'));
  const { stack, fn, stop } = await startFilesFunction();
  try {
    const path = join(work, 'big.bin');
    writeRandomFile(path, mib);
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: work,
      FILES_API_URL: fn.url,
      FILES_API_KEY: stack.apiKey,
      FILES_ORG: stack.organizationId,
      FILES_STATE_DIR: join(work, 'state'),
      PYTHONPATH: join(ROOT, 'clients', 'python', 'src'),
    };

    /** The floor: a fresh session from upload-url, then the bytes in one PUT, nothing else. */
    const floor = async (round: number): Promise<Measured> => {
      const answer = await fetch(`${fn.url}/v1/organizations/${stack.organizationId}/files/upload-url`, {
        method: 'POST',
        headers: { 'X-API-Key': stack.apiKey, 'Content-Type': 'application/json' },
        body: JSON.stringify({ filename: `floor-${round}.bin`, file_size: mib * MIB, mime_type: 'application/octet-stream' }),
      });
      const { upload_url } = (await answer.json()) as { upload_url: string };
      return measure(
        'curl',
        ['-sS', '--fail', '-o', '/dev/null', '-H', 'Content-Type: application/octet-stream', '-T', path, upload_url],
        env,
      );
    };

    console.log(`upload floor: ${machineLine()}`);
    console.log(`${mib} MiB of random bytes, ${rounds} rounds, alternating; each figure is one whole command`);
    const rate = (m: Measured) =>
      `${m.seconds.toFixed(2)} s (${(mib / m.seconds).toFixed(0)} MiB/s, peak RSS ${m.peakRssMiB.toFixed(1)} MiB)`;
    const ofFloor: number[] = [];
    const pythonOfFiles: number[] = [];
    const peaks = { files: [] as number[], python: [] as number[] };
    for (let round = 1; round <= rounds; round++) {
      const put = await floor(round);
      const files = await measure(process.execPath, [CLI, 'upload', path, '--json'], env);
      const python = await measure('/usr/bin/python3', ['-m', 'files_api', 'upload', path, '--json'], env);
      ofFloor.push(put.seconds / files.seconds);
      pythonOfFiles.push(files.seconds / python.seconds);
      peaks.files.push(files.peakRssMiB);
      peaks.python.push(python.peakRssMiB);
      console.log(
        `round ${round}: curl -T ${rate(put)} | files upload ${rate(files)} | python -m files_api upload ${rate(python)} | ` +
          `files/floor ${(put.seconds / files.seconds).toFixed(2)}× | python/files ${(files.seconds / python.seconds).toFixed(2)}×`,
      );
    }
    console.log(
      `speed of files upload vs the floor: median ${median(ofFloor).toFixed(2)}×; python vs files: median ${median(pythonOfFiles).toFixed(2)}×; ` +
        `peak RSS max: files ${Math.max(...peaks.files).toFixed(1)} MiB, python ${Math.max(...peaks.python).toFixed(1)} MiB`,
    );
    console.log(`after: ${machineLine()}`);
  } finally {
    await stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
