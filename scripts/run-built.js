// `npm run stop` and `npm run reset` run the built scripts. On a checkout never built (a fresh
// clone) there is nothing to run yet: build first, so they answer instead of failing with
// "module not found". An existing build is used as it is, as `npm start` left it.
const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const name = process.argv[2];
const built = join(__dirname, '..', 'dist', 'scripts', `${name}.js`);
if (!existsSync(built)) {
  // The build's output goes to stderr: stdout is the script's answer alone.
  const build = spawnSync('npm', ['run', '--silent', 'build'], { stdio: ['ignore', 2, 2], shell: process.platform === 'win32' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
require(built);
