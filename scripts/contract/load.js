// Reads the route table (schemas/api.contract.json) and the schemas it names,
// and refuses a table that contradicts itself or the schemas. Plain CommonJS
// with no dependencies, so the build, the CLIs and the tests all share it.
const { readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const ROOT = join(__dirname, '..', '..');
const SCHEMA_DIR = join(ROOT, 'schemas');
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
const OPERATION_ID = /^[a-z][A-Za-z0-9]*$/;
const HANDLER = /^[a-z][a-z0-9-]*$/;
// A request body is JSON unless its operation names another of these.
const REQUEST_MEDIA_TYPES = ['application/json', 'multipart/form-data'];

/** The table and every schema of schemas/, by file name; throws with every problem found. */
function loadContract(schemaDir = SCHEMA_DIR) {
  const contract = JSON.parse(readFileSync(join(schemaDir, 'api.contract.json'), 'utf8'));
  const schemas = new Map(
    readdirSync(schemaDir)
      .filter((f) => f.endsWith('.schema.json'))
      .sort()
      .map((f) => [f, JSON.parse(readFileSync(join(schemaDir, f), 'utf8'))]),
  );
  const problems = contractProblems(contract, schemas);
  if (problems.length > 0) throw new Error(`schemas/api.contract.json:\n  ${problems.join('\n  ')}`);
  return { contract, schemas };
}

function contractProblems(contract, schemas) {
  const problems = [];
  const envelope = schemas.get('error-envelope.schema.json');
  const envelopeCodes = envelope?.properties?.error?.properties?.code?.enum ?? [];
  const codes = Object.keys(contract.errors);
  for (const code of envelopeCodes)
    if (!contract.errors[code]) problems.push(`error code ${code} (error-envelope.schema.json) is not in "errors"`);
  for (const code of codes) if (!envelopeCodes.includes(code)) problems.push(`error code ${code} is not in error-envelope.schema.json`);
  for (const [code, e] of Object.entries(contract.errors)) {
    for (const name of e.headers ?? [])
      if (!contract.responseHeaders[name]) problems.push(`error code ${code}: unknown response header ${name}`);
  }
  const known = (code, where) => contract.errors[code] || problems.push(`${where}: unknown error code ${code}`);
  for (const code of [...contract.commonErrors, ...contract.routingErrors]) known(code, 'commonErrors/routingErrors');

  const ids = new Set();
  const handlers = new Set();
  const routes = new Set();
  for (const op of contract.operations) {
    const where = `operation ${op.id}`;
    if (!OPERATION_ID.test(op.id ?? '')) problems.push(`${where}: id must be lowerCamelCase`);
    if (ids.has(op.id)) problems.push(`${where}: id used twice`);
    ids.add(op.id);
    if (!HANDLER.test(op.handler ?? '')) problems.push(`${where}: handler must be kebab-case`);
    if (handlers.has(op.handler)) problems.push(`${where}: handler ${op.handler} used twice`);
    handlers.add(op.handler);
    if (!METHODS.includes(op.method)) problems.push(`${where}: method ${op.method}`);
    if (routes.has(`${op.method} ${op.path}`)) problems.push(`${where}: ${op.method} ${op.path} declared twice`);
    routes.add(`${op.method} ${op.path}`);
    if (!/^(\/([a-z0-9-]+|\{[a-z_]+\}))+$/.test(op.path)) problems.push(`${where}: path ${op.path} must be whole segments`);

    const templated = pathParameters(op.path);
    const declared = op.parameters.filter((name) => contract.parameters[name]?.in === 'path');
    for (const name of op.parameters) if (!contract.parameters[name]) problems.push(`${where}: unknown parameter ${name}`);
    if (templated.join() !== declared.join()) problems.push(`${where}: path parameters ${declared} do not match ${op.path}`);
    for (const name of Object.keys(op.headers)) if (!contract.headers[name]) problems.push(`${where}: unknown header ${name}`);
    if (op.headers['X-API-Key'] !== true) problems.push(`${where}: X-API-Key must be required`);
    if (op.request && !schemas.has(op.request)) problems.push(`${where}: no schema ${op.request}`);
    for (const [status, response] of Object.entries(op.responses)) {
      if (!/^2\d\d$/.test(status)) problems.push(`${where}: responses holds successes only; errors go in "errors"`);
      if (response.schema && !schemas.has(response.schema)) problems.push(`${where}: no schema ${response.schema}`);
      if (!response.schema && status !== '204') problems.push(`${where}: ${status} needs a schema`);
    }
    for (const code of op.errors) {
      known(code, where);
      if (contract.commonErrors.includes(code)) problems.push(`${where}: ${code} is a common error already`);
    }
    for (const [code, status] of Object.entries(op.errorStatus ?? {})) {
      if (!op.errors.includes(code)) problems.push(`${where}: errorStatus names ${code}, which is not among its errors`);
      if (!Number.isInteger(status) || status < 400 || status > 599) problems.push(`${where}: errorStatus ${code} must be a 4xx or 5xx`);
    }
    if (op.requestMediaType !== undefined && !REQUEST_MEDIA_TYPES.includes(op.requestMediaType)) {
      problems.push(`${where}: requestMediaType must be one of ${REQUEST_MEDIA_TYPES}`);
    }
  }
  return problems;
}

/** `{name}` segments of a path template, in order. */
function pathParameters(path) {
  return [...path.matchAll(/\{([a-z_]+)\}/g)].map((m) => m[1]);
}

/**
 * Every error code `op` can answer (its own and the common ones), grouped by HTTP status, statuses ascending.
 * An operation may answer one of its codes with another status (`errorStatus`: a direct upload's FILE_TOO_LARGE is a 413).
 */
function errorsByStatus(contract, op) {
  const byStatus = new Map();
  for (const code of [...op.errors, ...contract.commonErrors]) {
    const status = String(errorStatusOf(contract, op, code));
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return new Map([...byStatus].sort(([a], [b]) => Number(a) - Number(b)));
}

function errorStatusOf(contract, op, code) {
  return op.errorStatus?.[code] ?? contract.errors[code].status;
}

/** The request body's media type. */
const requestMediaType = (op) => op.requestMediaType ?? 'application/json';

/** The response headers some of `codes` carry (Retry-After), once each. */
function answerHeaders(contract, codes) {
  return [...new Set(codes.flatMap((code) => contract.errors[code].headers ?? []))];
}

/** The schema named by its file, referenced as `${prefix}${title}`: `$ref`s between files become local. */
function localSchema(schema, schemas, prefix) {
  const walk = (node) => {
    if (Array.isArray(node)) return node.map(walk);
    if (node === null || typeof node !== 'object') return node;
    const out = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === '$schema' || key === '$id' || key === '$comment') continue;
      if (key === '$ref') {
        const target = schemas.get(value);
        if (!target) throw new Error(`$ref ${value}: no such schema in schemas/`);
        out.$ref = prefix + target.title;
      } else {
        out[key] = walk(value);
      }
    }
    return out;
  };
  return walk(schema);
}

const titleOf = (schemas, file) => schemas.get(file).title;

module.exports = {
  ROOT,
  loadContract,
  contractProblems,
  pathParameters,
  errorsByStatus,
  errorStatusOf,
  requestMediaType,
  answerHeaders,
  localSchema,
  titleOf,
};
