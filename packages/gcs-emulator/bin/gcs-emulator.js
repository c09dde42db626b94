#!/usr/bin/env node
// A committed entry, so npm links the bin at install time, before dist/ is built.
try {
  require.resolve('../dist/main.js');
} catch {
  process.stderr.write('gcs-emulator is not built: run `npm run build` in its package or repository first\n');
  process.exit(1);
}
require('../dist/main.js');
