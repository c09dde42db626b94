// The deployable's build step (its package.json's gcp-build, which Cloud Build
// runs after npm install, on the runtime the function will run on): loads the
// function once, so the compile cache beside it holds the bundle's compiled
// code when the first instance starts. Loading registers the functions and
// constructs the clients; it calls no backend. The bucket is only checked for
// its form at load.
'use strict';
process.env.FILES_BUCKET ||= 'compile-cache-priming';
require('./index.js');
