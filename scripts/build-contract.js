// Checks the route table (schemas/api.contract.json) against itself and the
// schemas, and writes what the function compiles: functions/generated/operations.ts.
// With --docs it also writes the committed documents for clients: docs/openapi.json
// and docs/API.md (test/contract checks they are up to date).
const { mkdirSync } = require('node:fs');
const { join } = require('node:path');
const { writeIfChanged } = require('./build-inputs.js');
const load = require('./contract/load.js');
const operations = require('./contract/operations-ts.js');
const documents = require('./contract/documents.js');

const loaded = load.loadContract();
const generated = join(load.ROOT, 'functions', 'generated');
mkdirSync(generated, { recursive: true });
// Unchanged, it is left alone: its time is what `tsc -b` compares.
writeIfChanged(join(generated, 'operations.ts'), operations.operationsModule(loaded));

if (process.argv.includes('--docs')) {
  for (const [file, text] of Object.entries(documents.committedDocuments(loaded))) {
    mkdirSync(join(load.ROOT, file, '..'), { recursive: true });
    writeIfChanged(join(load.ROOT, file), text);
    console.log(`wrote ${file}`);
  }
}
