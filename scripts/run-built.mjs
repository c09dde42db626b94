// `npm run stop` and `npm run reset` run the built scripts. On a checkout never built (a fresh
// clone) there is nothing to run yet: build first, so they answer instead of failing with
// "module not found". An existing build is used as it is, as `npm start` left it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const name = process.argv[2];
const built = new URL(`../dist/scripts/${name}.js`, import.meta.url);
if (!existsSync(built)) {
  // The build's output goes to stderr: stdout is the script's answer alone.
  const build = spawnSync('npm', ['run', '--silent', 'build'], { stdio: ['ignore', 2, 2], shell: process.platform === 'win32' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
await import(built.href);
