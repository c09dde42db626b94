// Where a cold start's module loading goes: loads one module (by default the
// unbundled function, dist/functions/index.js) in this fresh process and
// prints the load time of each npm package it pulls in, excluding the
// packages that package loads in turn. Lazy loads made by the first request
// (e.g. Firestore's gRPC client) are not included: see cold-start.ts for those.
//
//   node dist/bench/require-cost.js [PATH]
import Module from 'node:module';
import { resolve } from 'node:path';
import { machineLine } from './lib/machine';
import { ROOT } from './lib/paths';

interface Load {
  name: string;
  started: number;
  nested: number;
}

// Module._load is Node's internal entry for every require; it is not in @types/node.
type LoadFn = (request: string, parent: unknown, isMain: boolean) => unknown;
const loader = Module as unknown as {
  _load: LoadFn;
  _resolveFilename(request: string, parent: unknown, isMain: boolean): string;
  _cache: Record<string, unknown>;
};

const self = new Map<string, { ms: number; files: number }>();
const stack: Load[] = [];
const originalLoad = loader._load;
loader._load = function timedLoad(this: unknown, request, parent, isMain) {
  let filename: string;
  try {
    filename = loader._resolveFilename(request, parent, isMain);
  } catch {
    return originalLoad.call(this, request, parent, isMain);
  }
  // Built-ins and modules already loaded cost nothing worth counting.
  if (!filename.includes('/') || loader._cache[filename]) return originalLoad.call(this, request, parent, isMain);
  const load: Load = { name: packageOf(filename), started: performance.now(), nested: 0 };
  stack.push(load);
  try {
    return originalLoad.call(this, request, parent, isMain);
  } finally {
    stack.pop();
    const ms = performance.now() - load.started;
    const entry = self.get(load.name) ?? { ms: 0, files: 0 };
    entry.ms += ms - load.nested;
    entry.files++;
    self.set(load.name, entry);
    const outer = stack.at(-1);
    if (outer) outer.nested += ms;
  }
};

function packageOf(filename: string): string {
  const inModules = filename.lastIndexOf('node_modules/');
  if (inModules < 0) return '(this project)';
  const [first, second] = filename.slice(inModules + 'node_modules/'.length).split('/');
  return first.startsWith('@') ? `${first}/${second}` : first;
}

const target = resolve(ROOT, process.argv[2] ?? 'dist/functions/index.js');
// functions/index.ts checks its configuration at load; only the bucket is required.
process.env.FILES_BUCKET ??= 'bench-bucket';
console.log(`require cost of ${target}: ${machineLine()}`);
const started = performance.now();
require(target);
const total = performance.now() - started;
console.log(`total ${total.toFixed(0)} ms; by package (own files only), slowest first:`);
for (const [name, { ms, files }] of [...self].sort((a, b) => b[1].ms - a[1].ms)) {
  if (ms < 2) break;
  console.log(`  ${ms.toFixed(0).padStart(5)} ms  ${String(files).padStart(3)} files  ${name}`);
}
