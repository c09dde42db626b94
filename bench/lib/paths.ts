import { dirname, join, resolve } from 'node:path';

/** The repository root: this file runs as dist/bench/lib/paths.js. */
export const ROOT = resolve(__dirname, '..', '..', '..');

/** functions-framework's CLI, the program Cloud Functions runs (not in the package's exports map, hence the path). */
export const FRAMEWORK_CLI = join(dirname(require.resolve('@google-cloud/functions-framework')), 'main.js');

/** The compiled server entries of bench/servers/. */
export const BENCH_SERVERS = join(ROOT, 'dist', 'bench', 'servers');
