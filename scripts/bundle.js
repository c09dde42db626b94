// Bundles functions/index.ts into one deployable file, dist/deploy/function.js, with
// the package.json Cloud Functions installs from. A cold start then reads one
// file instead of the few thousand modules of the Google client libraries
// (measured in bench/RESULTS.md, "Cold start"). The entry, index.js, turns on
// V8's compile cache first, and the package's gcp-build step fills that cache
// during the deploy's build (scripts/deploy-entry/). What the first request
// never uses is not loaded at start (scripts/lazy-whatwg-url.js).
//
//   node scripts/bundle.js [--outdir DIR] [--external PKG[,PKG…]]
//
// --external keeps more packages out of the bundle (installed from npm instead);
// the cold-start benchmark uses it to measure the alternatives.
const { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { join, relative, resolve, sep } = require('node:path');
const { parseArgs } = require('node:util');
const { build } = require('esbuild');
const { lazyWhatwgUrl } = require('./lazy-whatwg-url');

const root = join(__dirname, '..');

// The framework is the host process on Cloud Functions: the function must
// register with the very copy that loads it, and functions/http/body-layer.ts
// patches the express instance that copy resolves. Bundling either would give
// the function private copies, and the registration and the patch would miss.
const HOST_PACKAGES = ['@google-cloud/functions-framework', 'express'];
// A native addon loads its platform's .node binary at run time, which esbuild cannot bundle:
// it is installed beside the bundle, its linux-x64 binary chosen by npm as an optional dependency.
const NATIVE_PACKAGES = ['@node-rs/crc32'];

const { values } = parseArgs({
  options: {
    outdir: { type: 'string', default: join(root, 'dist', 'deploy') },
    external: { type: 'string', default: '' },
  },
});
const outdir = resolve(values.outdir);
// The directory is emptied first: only ever one under dist/.
if (!outdir.startsWith(join(root, 'dist') + sep)) throw new Error(`--outdir must be inside ${join(root, 'dist')}`);
const extra = values.external.split(',').filter(Boolean);
const rootPackage = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});

async function main() {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });

  const result = await build({
    absWorkingDir: root,
    entryPoints: ['functions/index.ts'],
    outfile: join(outdir, 'function.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: true,
    // Only whitespace and syntax: identifiers keep their names for stack traces and logs.
    minifyWhitespace: true,
    minifySyntax: true,
    // Subpaths too (e.g. express/lib/...), so nothing of a host package is copied in.
    external: [...HOST_PACKAGES, ...NATIVE_PACKAGES, ...extra].flatMap((name) => [name, `${name}/*`]),
    metafile: true,
    logLevel: 'warning',
    legalComments: 'linked',
    plugins: [lazyWhatwgUrl],
  });

  // Everything kept external must be installed beside the bundle, at the version
  // the project was built and tested with. express is not listed: it comes with
  // the framework, and a second copy is exactly what must not be loaded.
  const dependencies = {};
  for (const name of [...HOST_PACKAGES, ...NATIVE_PACKAGES, ...extra]) {
    if (name === 'express') continue;
    const version = rootPackage.dependencies?.[name];
    if (!version) throw new Error(`${name} is kept external but is not a dependency in package.json`);
    dependencies[name] = version;
  }
  const deployPackage = {
    name: `${rootPackage.name}-deploy`,
    version: rootPackage.version,
    private: true,
    description: `${rootPackage.name}, bundled by scripts/bundle.js`,
    license: rootPackage.license,
    main: 'index.js',
    engines: rootPackage.engines,
    scripts: { 'gcp-build': 'node prime-compile-cache.js' },
    dependencies,
  };
  writeFileSync(join(outdir, 'package.json'), JSON.stringify(deployPackage, null, 2) + '\n');
  writeFileSync(join(outdir, 'package-lock.json'), JSON.stringify(deployLock(deployPackage), null, 2) + '\n');
  for (const name of ['index', 'prime-compile-cache']) {
    copyFileSync(join(root, 'scripts', 'deploy-entry', `${name}.cjs`), join(outdir, `${name}.js`));
  }

  const output = result.metafile.outputs[relative(root, join(outdir, 'function.js'))];
  const inputs = Object.keys(result.metafile.inputs).length;
  console.log(
    `bundled ${inputs} modules into ${relative(process.cwd(), join(outdir, 'function.js'))} ` +
      `(${(output.bytes / 1024).toFixed(0)} KiB); external: ${Object.keys(dependencies).join(', ')}`,
  );
}

/**
 * The project's own lockfile cut down to what the deployable installs: every
 * package reachable from its dependencies, at the version and place the
 * project resolved and tested. With it, Cloud Build runs `npm ci`, so a deploy
 * installs exactly those bytes (integrity-checked) rather than whatever the
 * ranges allow that day.
 */
function deployLock(pkg) {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
  const entries = lock.packages;
  // Node's lookup: the nearest node_modules/NAME from the dependent's own folder up.
  const resolveFrom = (from, name) => {
    for (let dir = from; ; dir = dir.slice(0, Math.max(0, dir.lastIndexOf('/node_modules/')))) {
      const candidate = `${dir ? `${dir}/` : ''}node_modules/${name}`;
      if (entries[candidate]) return candidate;
      if (!dir) return undefined;
    }
  };
  const kept = {};
  const pending = Object.keys(pkg.dependencies).map((name) => ['', name, false]);
  while (pending.length) {
    const [from, name, optional] = pending.pop();
    const path = resolveFrom(from, name);
    if (!path) {
      if (optional) continue;
      throw new Error(`${name}, needed by ${from || 'the deployable'}, is not in package-lock.json`);
    }
    if (kept[path]) continue;
    // The root's dev/peer flags describe the project's tree, not this one, where everything is a dependency.
    const entry = { ...entries[path] };
    for (const flag of ['dev', 'devOptional', 'peer']) delete entry[flag];
    kept[path] = entry;
    for (const dep of Object.keys(entry.dependencies ?? {})) pending.push([path, dep, false]);
    for (const dep of Object.keys(entry.optionalDependencies ?? {})) pending.push([path, dep, true]);
    for (const dep of Object.keys(entry.peerDependencies ?? {}))
      pending.push([path, dep, entry.peerDependenciesMeta?.[dep]?.optional === true]);
  }
  const sorted = Object.fromEntries(
    Object.keys(kept)
      .sort()
      .map((path) => [path, kept[path]]),
  );
  return {
    name: pkg.name,
    version: pkg.version,
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name: pkg.name, version: pkg.version, license: pkg.license, dependencies: pkg.dependencies, engines: pkg.engines },
      ...sorted,
    },
  };
}
