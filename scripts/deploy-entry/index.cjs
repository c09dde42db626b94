// The deployable's entry (dist/deploy/index.js). It turns on V8's compile cache
// (Node 22+) before the bundle, function.js, loads: a cold start then reads the
// bundle's compiled code from the cache instead of parsing and compiling its
// 3.6 MB again. The cache sits beside the bundle; the deploy's build step
// (gcp-build: prime-compile-cache.js) fills it with the runtime's own node, so
// every new instance starts with it. Node 20 has no compile cache and loads the
// bundle as before; a cache from another node version is ignored, never wrong.
'use strict';
const { enableCompileCache } = require('node:module');
const { join } = require('node:path');

if (typeof enableCompileCache === 'function') enableCompileCache(join(__dirname, '.compile-cache'));

module.exports = require('./function.js');
