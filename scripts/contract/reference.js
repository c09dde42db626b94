// docs/API.md: the API reference, in prose and tables, from the route table and the schemas.
const { errorStatusOf, errorsByStatus, requestMediaType, titleOf } = require('./load');

const SAMPLE_PATH_VALUES = { organization_id: 'org_123', file_id: 'file_abc123xyz789' };

function apiReference({ contract, schemas }) {
  const responseSchemas = [
    ...new Set(contract.operations.flatMap((op) => Object.values(op.responses).map((r) => r.schema)).filter(Boolean)),
  ];
  const lines = [
    `# ${contract.info.title} reference`,
    '',
    '<!-- Generated from schemas/api.contract.json and schemas/*.schema.json by `npm run docs`; test/contract fails when it is stale. -->',
    '',
    contract.info.description,
    '',
    'The same contract, machine-readable: [`openapi.json`](openapi.json) (OpenAPI 3.1, for clients and code generators). The API Gateway',
    'document (OpenAPI 2.0) is generated for a deployed function with `node scripts/gateway-openapi.js --backend <function-url> --out gateway.yaml`.',
    '',
    '## Conventions',
    '',
    '- **Paths.** Every operation lives under `/v1/organizations/{organization_id}/files`. The function answers these paths at its own URL,',
    "  under `npm start`, and behind API Gateway, which appends the request path to the function's address; whatever prefix comes before",
    '  `/v1/organizations/…` is ignored. A trailing `/` is accepted.',
    '- **Authentication.** Every request carries `X-API-Key`. A key belongs to a principal, which may act on an organization only as its',
    '  member; a caller who is not a member, and an organization that does not exist, get the same `403 ORGANIZATION_ACCESS_DENIED`, so no',
    '  answer tells an outsider what exists.',
    '- **Bodies** are JSON objects (`Content-Type: application/json`), at most 64 KiB; a field the schema does not know is refused.',
    '  Answers are JSON with `Cache-Control: no-store`.',
    '- **Times** are UTC, whole seconds, `Z` (`2025-12-29T15:30:00Z`).',
    '- **Routing.** A path that is not listed here, or whose segments are not valid percent-encoding, answers `404 NOT_FOUND`',
    '  (so do `/favicon.ico` and `/robots.txt` and anything below them); a listed path with another method answers',
    '  `405 METHOD_NOT_ALLOWED` with an `Allow` header. (Behind API Gateway, an unlisted path is refused by the gateway itself.)',
    '',
    '### Uploading a file',
    '',
    'Up to the direct-upload cap (30 MiB by default), in one request: `POST …/files/upload` with a multipart/form-data body',
    'whose `file` part is the file, e.g. `curl -F "file=@report.pdf" -H "X-API-Key: $API_KEY" "$URL/v1/organizations/$ORG/files/upload"`;',
    'the answer is the File object, `uploaded`. Any size up to 5 GB, resumably:',
    '',
    "1. `POST …/files/upload-url` with the file's name, size and type: the answer's `upload_url` is a Cloud Storage resumable session.",
    '2. Send the bytes to `upload_url` (no API key: the URL is the capability), e.g. `curl -X PUT -H "Content-Type: video/mp4" --upload-file large_video.mp4 "$UPLOAD_URL"`,',
    '   or in chunks with `Content-Range`; storage refuses bytes that do not match the declared size, type or checksums.',
    '3. `POST …/files` with the `gcs_path` to register the file, or let the finalize event do it; `GET …/files/{file_id}` shows its state.',
    '',
    '### Request headers',
    '',
    '| header | used by | meaning |',
    '|---|---|---|',
    ...Object.entries(contract.headers).map(([name, header]) => {
      const users = contract.operations
        .filter((op) => name in op.headers)
        .map((op) => `\`${op.id}\`${op.headers[name] ? '' : ' (optional)'}`);
      return `| \`${name}\` | ${users.length === contract.operations.length ? 'every operation' : users.join(', ')} | ${header.description} |`;
    }),
    '',
    '### Response headers',
    '',
    '| header | when | meaning |',
    '|---|---|---|',
    `| \`X-Request-Id\` | every answer | ${contract.responseHeaders['X-Request-Id'].description} |`,
    `| \`Retry-After\` | ${withHeader(contract, 'Retry-After')} | ${contract.responseHeaders['Retry-After'].description} |`,
    '| `Allow` | 405 | The methods the path has. |',
    '',
    '## Operations',
    '',
    '| operation | method and path | success |',
    '|---|---|---|',
    ...contract.operations.map(
      (op) =>
        `| [${op.summary}](#${anchor(op.summary)}) (\`${op.id}\`) | \`${op.method} ${op.path}\` | ${Object.keys(op.responses).join(', ')} |`,
    ),
    '',
  ];
  for (const op of contract.operations) lines.push(...operationSection(contract, schemas, op));
  lines.push('## Objects', '');
  for (const file of responseSchemas) lines.push(...objectSection(schemas, schemas.get(file)));
  lines.push(...errorSection(contract, schemas));
  return (
    lines
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trimEnd() + '\n'
  );
}

function operationSection(contract, schemas, op) {
  const lines = [`### ${op.summary}`, '', `\`${op.method} ${op.path}\` · operation id \`${op.id}\``, '', op.description, ''];
  const params = op.parameters.map((name) => [name, contract.parameters[name]]);
  if (params.length > 0) {
    lines.push('| parameter | in | type | required | meaning |', '|---|---|---|---|---|');
    for (const [name, p] of params) {
      lines.push(
        `| \`${name}\` | ${p.in} | ${typeOf(p.schema, schemas)} | ${p.in === 'path' ? 'yes' : 'no'} | ${describe({ ...p.schema, description: p.description })} |`,
      );
    }
    lines.push('');
  }
  const headers = Object.entries(op.headers).map(([name, required]) => `\`${name}\`${required ? ' (required)' : ''}`);
  lines.push(`Headers: ${headers.join(', ')}.`, '');
  if (op.request) {
    const schema = schemas.get(op.request);
    const media = requestMediaType(op) === 'application/json' ? '' : ` (\`${requestMediaType(op)}\`)`;
    lines.push(`Request body${media}: \`${schema.title}\`. ${schema.description ?? ''}`, '', ...fieldTable(schema, schemas), '');
  }
  lines.push('| status | answer |', '|---|---|');
  for (const [status, r] of Object.entries(op.responses)) {
    lines.push(
      `| ${status} | ${r.description}${r.schema ? ` [\`${titleOf(schemas, r.schema)}\`](#${anchor(titleOf(schemas, r.schema))})` : ''} |`,
    );
  }
  for (const [status, codes] of errorsByStatus(contract, op)) {
    lines.push(`| ${status} | ${codes.map((c) => `\`${c}\``).join(', ')} |`);
  }
  lines.push('', ...example(op), '');
  return lines;
}

function example(op) {
  const path = op.path.replace(/\{([a-z_]+)\}/g, (_, name) => SAMPLE_PATH_VALUES[name] ?? name);
  const curl = [`curl -X ${op.method} "$BASE_URL${path}" \\`, '  -H "X-API-Key: $API_KEY"'];
  if (op.examples?.request) {
    curl[1] += ' -H "Content-Type: application/json" \\';
    curl.push(`  -d '${JSON.stringify(op.examples.request)}'`);
  }
  if (requestMediaType(op) === 'multipart/form-data') {
    curl[1] += ' \\';
    curl.push(`  -F "file=@report.pdf" -F "purpose=invoice" -F 'metadata={"customer_id":"c_42"}'`);
  }
  const lines = ['```sh', ...curl, '```'];
  if (op.examples?.request) lines.push('', ...clientExamples(op, path));
  if (requestMediaType(op) === 'multipart/form-data') lines.push('', ...formExamples(path));
  for (const [status, body] of Object.entries(op.examples?.responses ?? {})) {
    lines.push('', `${status}:`, '', '```json', JSON.stringify(body, null, 2), '```');
  }
  return lines;
}

/** The same call from Python (requests) and JavaScript (fetch), as the seed's own examples make it. */
function clientExamples(op, path) {
  const pythonBody = JSON.stringify(op.examples.request, null, 4);
  return [
    '```python',
    'import os',
    'import requests',
    '',
    `response = requests.${op.method.toLowerCase()}(`,
    `    f"{os.environ['BASE_URL']}${path}",`,
    '    headers={"X-API-Key": os.environ["API_KEY"]},',
    `    json=${pythonBody.replace(/\n/g, '\n    ')},`,
    ')',
    'print(response.status_code, response.json())',
    '```',
    '',
    '```javascript',
    `const response = await fetch(\`\${process.env.BASE_URL}${path}\`, {`,
    `  method: '${op.method}',`,
    "  headers: { 'X-API-Key': process.env.API_KEY, 'Content-Type': 'application/json' },",
    `  body: JSON.stringify(${JSON.stringify(op.examples.request, null, 2).replace(/\n/g, '\n  ')}),`,
    '});',
    'console.log(response.status, await response.json());',
    '```',
  ];
}

/** The same form from Python (requests) and JavaScript (fetch with FormData). */
function formExamples(path) {
  return [
    '```python',
    'import os',
    'import requests',
    '',
    'with open("report.pdf", "rb") as file:',
    '    response = requests.post(',
    `        f"{os.environ['BASE_URL']}${path}",`,
    '        headers={"X-API-Key": os.environ["API_KEY"]},',
    '        files={"file": ("report.pdf", file, "application/pdf")},',
    '        data={"purpose": "invoice", "metadata": \'{"customer_id": "c_42"}\'},',
    '    )',
    'print(response.status_code, response.json())',
    '```',
    '',
    '```javascript',
    "import { openAsBlob } from 'node:fs';",
    '',
    'const form = new FormData();',
    "form.append('file', await openAsBlob('report.pdf', { type: 'application/pdf' }), 'report.pdf');",
    "form.append('purpose', 'invoice');",
    "form.append('metadata', JSON.stringify({ customer_id: 'c_42' }));",
    `const response = await fetch(\`\${process.env.BASE_URL}${path}\`, {`,
    "  method: 'POST',",
    "  headers: { 'X-API-Key': process.env.API_KEY },",
    '  body: form,',
    '});',
    'console.log(response.status, await response.json());',
    '```',
  ];
}

function objectSection(schemas, schema) {
  return [`### ${schema.title}`, '', schema.description ?? '', '', ...fieldTable(schema, schemas), ''];
}

function fieldTable(schema, schemas) {
  const required = new Set(schema.required ?? []);
  const rows = Object.entries(schema.properties).map(
    ([name, s]) => `| \`${name}\` | ${typeOf(s, schemas)} | ${required.has(name) ? 'yes' : 'no'} | ${describe(s)} |`,
  );
  return ['| field | type | required | rule |', '|---|---|---|---|', ...rows];
}

/** A field's description, then its rules in brackets. */
function describe(s) {
  const rule = rules(s);
  if (!s.description) return rule;
  return rule ? `${s.description} (${rule})` : s.description;
}

function typeOf(s, schemas) {
  if (s.$ref) return `[\`${schemas.get(s.$ref).title}\`](#${anchor(schemas.get(s.$ref).title)})`;
  if (s.type === 'array') return `array of ${typeOf(s.items, schemas)}`;
  if (s.oneOf) return s.oneOf.map((branch) => typeOf(branch, schemas)).join(' or ');
  const types = [s.type].flat().filter(Boolean);
  return types.join(' or ') || 'any';
}

function rules(s) {
  const out = [];
  if (s.const !== undefined) out.push(`always \`${JSON.stringify(s.const)}\``);
  if (s.enum) out.push(`one of ${s.enum.map((v) => `\`${v}\``).join(', ')}`);
  if (s.minimum !== undefined || s.maximum !== undefined) out.push(range(s.minimum, s.maximum));
  if (s.minLength === 1 && s.maxLength === undefined) out.push('not empty');
  else if (s.minLength !== undefined || s.maxLength !== undefined) out.push(`${range(s.minLength, s.maxLength)} characters`);
  if (s.pattern && s.pattern.length <= 40) out.push(`matches \`${s.pattern}\``);
  if (s.default !== undefined) out.push(`default \`${s.default}\``);
  return out.join('; ').replace(/\|/g, '\\|');
}

const range = (min, max) => (max === undefined ? `at least ${min}` : min === undefined ? `at most ${max}` : `${min} to ${max}`);

function errorSection(contract, schemas) {
  const envelope = schemas.get('error-envelope.schema.json');
  const sample = contract.operations.find((op) => op.examples?.responses?.['400'])?.examples.responses['400'];
  const errorFields = envelope.properties.error;
  return [
    '## Errors',
    '',
    `${envelope.description} Its shape:`,
    '',
    '```json',
    JSON.stringify(sample, null, 2),
    '```',
    '',
    ...fieldTable(errorFields, schemas).map((row) => row.replace(/\| one of `INVALID_JSON`.*? \|$/, '| the table below |')),
    '',
    '`type` is `client_error` for 4xx and `server_error` for 5xx. `trace_id` comes from `X-Cloud-Trace-Context` or `traceparent` when the',
    "request has one, else it is generated; it is also the `X-Request-Id` header and the trace of the request's log line.",
    '',
    '| status | code | when |',
    '|---|---|---|',
    ...Object.entries(contract.errors).map(
      ([code, e]) => `| ${statusesOf(contract, code, e).join(', ')} | \`${code}\` | ${e.description} |`,
    ),
    '',
  ];
}

/** The code's status, and any other an operation answers it with. */
const statusesOf = (contract, code, e) => [
  ...new Set([e.status, ...contract.operations.flatMap((op) => (op.errors.includes(code) ? [errorStatusOf(contract, op, code)] : []))]),
];

const withHeader = (contract, name) =>
  Object.entries(contract.errors)
    .filter(([, e]) => (e.headers ?? []).includes(name))
    .map(([code, e]) => `${e.status} \`${code}\``)
    .join(', ');

/** GitHub's heading anchor: lower case, spaces to dashes, punctuation dropped. */
const anchor = (heading) =>
  heading
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, '')
    .replace(/ /g, '-');

module.exports = { apiReference };
