// An esbuild plugin for scripts/bundle.js. node-fetch 2 (Storage's gaxios 6 and
// teeny-request) requires whatwg-url at load for one fallback, `Url.URL ||
// whatwgUrl.URL`, which Node's own URL always wins; loading whatwg-url (tr46's
// mapping table) cost ~50 ms of CPU per cold start on Node 24, 8% of the
// bundle's load (bench/RESULTS.md, "Stop 25: cold start"). node-fetch gets
// instead a module whose URL loads the real whatwg-url on first read: the same
// value if it is ever read, no load when not.
'use strict';

const NAMESPACE = 'lazy-whatwg-url';

const lazyWhatwgUrl = {
  name: NAMESPACE,
  setup(build) {
    // node-fetch's own import only: the lazy module's require (its importer in the lazy namespace) gets the real one.
    build.onResolve({ filter: /^whatwg-url$/ }, (args) =>
      args.namespace === 'file' && /[\\/]node_modules[\\/]node-fetch[\\/]/.test(args.importer)
        ? { path: 'whatwg-url', namespace: NAMESPACE, pluginData: args.resolveDir }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => ({
      contents: "module.exports = { get URL() { return require('whatwg-url').URL; } };",
      resolveDir: args.pluginData,
      loader: 'js',
    }));
  },
};

module.exports = { lazyWhatwgUrl };
