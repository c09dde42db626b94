// `files upload` against Google's own uploader, `gcloud storage cp` at its
// defaults (bar composite uploads, see below), to the same storage emulator, side by side in one run: wall time
// of each whole command for the same 1 GiB file, and the CLI's peak RSS.
//
//   node dist/bench/cli-vs-gcloud.js [--mib 1024] [--rounds 3]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFilesFunction } from './lib/files-function-stack';
import { machineLine } from './lib/machine';
import { flag, measure } from './lib/measured-command';
import { ROOT } from './lib/paths';
import { writeRandomFile } from './lib/random-file';

const CLI = join(ROOT, 'packages', 'cli', 'dist', 'main.js');

async function main(): Promise<void> {
  const mib = flag('mib', 1024);
  const rounds = flag('rounds', 3);
  const work = mkdtempSync(join(tmpdir(), 'bench-cli-gcloud-'));
  const { stack, fn, stop } = await startFilesFunction();
  try {
    const path = join(work, 'big.bin');
    writeRandomFile(path, mib);

    const config = join(work, 'gcloud-config');
    mkdirSync(config);
    writeFileSync(join(config, 'gce'), 'False');
    writeFileSync(join(work, 'token'), 'emulator-needs-no-real-token');
    const base = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: work };
    const gcloudEnv = {
      ...base,
      CLOUDSDK_CONFIG: config,
      CLOUDSDK_API_ENDPOINT_OVERRIDES_STORAGE: `${stack.functionEnv.STORAGE_EMULATOR_HOST}/`,
      CLOUDSDK_AUTH_ACCESS_TOKEN_FILE: join(work, 'token'),
      CLOUDSDK_CORE_PROJECT: stack.functionEnv.GOOGLE_CLOUD_PROJECT,
      CLOUDSDK_CORE_DISABLE_PROMPTS: '1',
      CLOUDSDK_CORE_DISABLE_USAGE_REPORTING: 'true',
      CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK: 'true',
      // The one departure from gcloud's defaults: above 150 MiB it splits a file into parallel
      // parts joined by `compose`, which this storage emulator does not serve (405); this makes
      // it send one resumable stream, as `files upload` does.
      CLOUDSDK_STORAGE_PARALLEL_COMPOSITE_UPLOAD_ENABLED: 'False',
    };
    const cliEnv = {
      ...base,
      FILES_API_URL: fn.url,
      FILES_API_KEY: stack.apiKey,
      FILES_ORG: stack.organizationId,
      FILES_STATE_DIR: join(work, 'state'),
    };

    console.log(`cli vs gcloud: ${machineLine()}`);
    console.log(`${mib} MiB of random bytes, ${rounds} rounds, alternating; each figure is one whole command`);
    const ratios: number[] = [];
    const peaks: number[] = [];
    for (let round = 1; round <= rounds; round++) {
      const gcloud = await measure(
        'gcloud',
        ['storage', 'cp', path, `gs://${stack.functionEnv.FILES_BUCKET}/gcloud-${round}.bin`],
        gcloudEnv,
      );
      const cli = await measure(process.execPath, [CLI, 'upload', path, '--json'], cliEnv);
      const ratio = gcloud.seconds / cli.seconds;
      ratios.push(ratio);
      peaks.push(cli.peakRssMiB);
      const rate = (seconds: number) => `${(mib / seconds).toFixed(0)} MiB/s`;
      console.log(
        `round ${round}: files upload ${cli.seconds.toFixed(2)} s (${rate(cli.seconds)}, peak RSS ${cli.peakRssMiB.toFixed(1)} MiB) | ` +
          `gcloud storage cp ${gcloud.seconds.toFixed(2)} s (${rate(gcloud.seconds)}, peak RSS ${gcloud.peakRssMiB.toFixed(1)} MiB) | throughput ratio ${ratio.toFixed(2)}`,
      );
    }
    const sorted = [...ratios].sort((a, b) => a - b);
    const middle = sorted.length / 2;
    const median = sorted.length % 2 ? sorted[Math.floor(middle)] : (sorted[middle - 1] + sorted[middle]) / 2;
    console.log(
      `throughput ratio files/gcloud: median ${median.toFixed(2)} (range ${sorted[0].toFixed(2)}-${sorted[sorted.length - 1].toFixed(2)}); CLI peak RSS max ${Math.max(...peaks).toFixed(1)} MiB`,
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
