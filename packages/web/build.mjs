// Type-checks the page's script and bundles it (and the SDK it runs on) into dist/, beside the page. Skipped
// when nothing the page is made of has changed since its last build (scripts/build-inputs.js).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import inputs from '../../scripts/build-inputs.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const out = join(here, 'dist');
const STATIC = ['index.html', 'style.css'];
// The page's sources, the SDK as built, and the lock file for the bundled dependencies and esbuild itself.
const stamp = inputs.buildStamp(
  join(out, '.build-stamp'),
  root,
  [
    join(here, 'src'),
    join(here, 'static'),
    fileURLToPath(import.meta.url),
    join(here, 'tsconfig.json'),
    join(root, 'packages', 'sdk', 'dist', 'esm'),
    join(root, 'package-lock.json'),
  ],
  ['app.js', ...STATIC].map((file) => join(out, file)),
);
if (!stamp.fresh()) {
  // esbuild strips types without checking them.
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const check = spawnSync(process.execPath, [tsc, '-p', join(here, 'tsconfig.json')], { stdio: 'inherit' });
  if (check.status !== 0) process.exit(check.status ?? 1);
  mkdirSync(out, { recursive: true });
  await build({
    entryPoints: [join(here, 'src', 'main.ts')],
    outfile: join(out, 'app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    logLevel: 'warning',
  });
  for (const file of STATIC) copyFileSync(join(here, 'static', file), join(out, file));
  stamp.record();
}
