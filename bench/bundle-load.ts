// The CPU a deployable spends loading (spawn to its module evaluated, before
// any request): the part of a cold start that what the bundle loads at start
// decides. Each build is loaded in a fresh process from its compile cache as
// its gcp-build step primed it, N rounds, the builds' order alternating, and
// every round's CPU ratio to the first build is kept, so a change is read
// pair by pair rather than across a machine that changes under the runs.
//
//   node dist/bench/bundle-load.js [--runs 20] [--node PATH] NAME=PATH/index.js NAME=PATH/index.js...
import { execFileSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { machineLine } from './lib/machine';
import { median, round } from './lib/stats';

const LOAD = `const started = process.cpuUsage(); require(process.argv[1]); const u = process.cpuUsage();
process.stdout.write(JSON.stringify({ cpuMs: (u.user + u.system) / 1000, beforeMs: (started.user + started.system) / 1000 }));
process.exit(0);`;

function main(): void {
  const { values, positionals } = parseArgs({
    options: { runs: { type: 'string', default: '20' }, node: { type: 'string', default: process.execPath } },
    allowPositionals: true,
  });
  const builds = positionals.map((spec) => {
    const [name, path] = spec.split('=');
    if (!name || !path) throw new Error(`wants NAME=PATH, not ${spec}`);
    return { name, entry: resolve(path) };
  });
  if (builds.length < 2) throw new Error('give at least two builds: the first is the one the others are compared to');
  const node = resolve(values.node);
  // Config is read at load: a bucket name of the right form, nothing reachable.
  const env = { PATH: process.env.PATH, FILES_BUCKET: 'bundle-load-bench', GOOGLE_CLOUD_PROJECT: 'bundle-load-bench' };
  for (const { entry } of builds) {
    execFileSync(node, ['prime-compile-cache.js'], { cwd: dirname(entry), env, stdio: 'ignore' });
  }
  console.log(`bundle load: ${machineLine()}; node ${execFileSync(node, ['-v'], { encoding: 'utf8' }).trim()}`);
  const cpu = new Map<string, number[]>(builds.map((b) => [b.name, []]));
  const runs = Number(values.runs);
  for (let i = 0; i < runs; i++) {
    const order = i % 2 === 0 ? builds : [...builds].reverse();
    for (const { name, entry } of order) {
      const out = execFileSync(node, ['-e', LOAD, entry], { cwd: dirname(entry), env, encoding: 'utf8' });
      cpu.get(name)?.push((JSON.parse(out) as { cpuMs: number }).cpuMs);
    }
  }
  const first = cpu.get(builds[0].name) ?? [];
  for (const { name } of builds) {
    const own = cpu.get(name) ?? [];
    const ratios = own.map((ms, i) => ms / first[i]);
    console.log(
      `  ${name.padEnd(12)} CPU to loaded: median ${median(own).toFixed(0)} ms` +
        (name === builds[0].name
          ? ''
          : `; × ${builds[0].name}, round by round: median ${round(median(ratios), 3)} (${round(Math.min(...ratios), 2)}–${round(Math.max(...ratios), 2)})`),
    );
  }
  console.log(`after: ${machineLine()}`);
}

main();
