#!/usr/bin/env node
// Writes the API Gateway document (OpenAPI 2.0, JSON, which is also YAML) for
// the files function at --backend:
//   node scripts/gateway-openapi.js --backend <https-url> [--deadline <seconds>] [--jwt-audience <url>] --out <file.yaml>
// Exits 2 on bad usage, 1 if the route table is inconsistent.
const { writeFileSync } = require('node:fs');
const { parseArgs } = require('node:util');
const contract = require('./contract/load.js');
const gateway = require('./contract/gateway.js');

const USAGE =
  'usage: node scripts/gateway-openapi.js --backend <https-url> [--deadline <seconds>] [--jwt-audience <url>] --out <file.yaml>';

function options() {
  try {
    const { values } = parseArgs({
      options: {
        backend: { type: 'string' },
        deadline: { type: 'string' },
        'jwt-audience': { type: 'string' },
        out: { type: 'string' },
      },
      strict: true,
    });
    if (!values.backend || !values.out) throw new Error('--backend and --out are required');
    const deadline = values.deadline === undefined ? undefined : Number(values.deadline);
    return { backend: values.backend, deadline, jwtAudience: values['jwt-audience'], out: values.out };
  } catch (error) {
    console.error(`gateway-openapi: ${error.message}\n${USAGE}`);
    process.exit(2);
  }
}

const { out, ...backend } = options();
let document;
try {
  document = gateway.gatewayDocument(contract.loadContract(), backend);
} catch (error) {
  console.error(`gateway-openapi: ${error.message}`);
  process.exit(error.message.startsWith('schemas/') ? 1 : 2);
}
writeFileSync(out, JSON.stringify(document, null, 2) + '\n');
