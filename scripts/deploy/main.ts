#!/usr/bin/env node
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { DeployUsageError, parseDeployOptions } from './options';
import { deployScript } from './plan';

// dist/scripts/deploy/main.js -> the repository root, where the script's relative paths start.
const root = join(__dirname, '..', '..', '..');

function main(argv: string[]): number {
  let options;
  try {
    options = parseDeployOptions(argv);
  } catch (err) {
    if (!(err instanceof DeployUsageError)) throw err;
    process.stderr.write(`deploy: ${err.message}\n`);
    return 2;
  }
  const script = deployScript(options, root);
  if (options.dryRun) {
    process.stdout.write(script);
    return 0;
  }
  if (spawnSync('gcloud', ['--version'], { stdio: 'ignore' }).status !== 0) {
    process.stderr.write('deploy: gcloud not found: install the Google Cloud CLI and run `gcloud auth login`\n');
    return 1;
  }
  // The very script --dry-run prints, so what is reviewed is what runs.
  const result = spawnSync('bash', ['-c', script], { cwd: root, stdio: 'inherit' });
  return result.status ?? 1;
}

process.exitCode = main(process.argv.slice(2));
