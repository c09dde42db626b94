// The OpenAPI 3.1 document for clients (docs/openapi.json), from the route table.
const { answerHeaders, errorsByStatus, localSchema, requestMediaType, titleOf } = require('./load');

const REF = '#/components/schemas/';
const JSON_TYPE = 'application/json';

/** OpenAPI 3.1: every operation, its parameters, bodies, successes and the error envelope per status with its codes. */
function openApiDocument({ contract, schemas }) {
  const paths = {};
  for (const op of contract.operations) {
    paths[op.path] ??= {};
    paths[op.path][op.method.toLowerCase()] = operation(contract, schemas, op);
  }
  const components = { schemas: {}, securitySchemes: {}, headers: {} };
  for (const schema of schemas.values()) components.schemas[schema.title] = localSchema(schema, schemas, REF);
  components.securitySchemes.ApiKey = {
    type: 'apiKey',
    in: 'header',
    name: 'X-API-Key',
    description: contract.headers['X-API-Key'].description,
  };
  for (const [name, header] of Object.entries(contract.responseHeaders)) components.headers[name] = header;
  return {
    openapi: '3.1.0',
    info: { ...contract.info, license: { name: 'Apache-2.0', identifier: 'Apache-2.0' } },
    servers: [
      {
        url: '{base_url}',
        description: 'The function (the local stack, its URL on Google Cloud) or the API Gateway in front of it',
        variables: { base_url: { default: 'http://127.0.0.1:8080' } },
      },
    ],
    security: [{ ApiKey: [] }],
    paths,
    components,
  };
}

function operation(contract, schemas, op) {
  const out = {
    operationId: op.id,
    summary: op.summary,
    description: op.description,
    parameters: [
      ...op.parameters.map((name) => {
        const p = contract.parameters[name];
        return { name, in: p.in, required: p.in === 'path', description: p.description, schema: p.schema };
      }),
      // X-API-Key is the security scheme; the other headers are parameters.
      ...Object.entries(op.headers)
        .filter(([name]) => name !== 'X-API-Key')
        .map(([name, required]) => ({ name, in: 'header', required, ...contract.headers[name] })),
    ],
  };
  if (op.request) {
    out.requestBody = {
      required: true,
      content: {
        [requestMediaType(op)]: withExample({ schema: { $ref: REF + titleOf(schemas, op.request) } }, op.examples?.request),
      },
    };
  }
  out.responses = {};
  for (const [status, response] of Object.entries(op.responses)) {
    out.responses[status] = {
      description: response.description,
      headers: { 'X-Request-Id': { $ref: '#/components/headers/X-Request-Id' } },
    };
    if (response.schema) {
      out.responses[status].content = {
        [JSON_TYPE]: withExample({ schema: { $ref: REF + titleOf(schemas, response.schema) } }, op.examples?.responses?.[status]),
      };
    }
  }
  for (const [status, codes] of errorsByStatus(contract, op)) {
    const headers = { 'X-Request-Id': { $ref: '#/components/headers/X-Request-Id' } };
    for (const name of answerHeaders(contract, codes)) headers[name] = { $ref: `#/components/headers/${name}` };
    out.responses[status] = {
      description: codes.map((code) => `\`${code}\`: ${contract.errors[code].description}`).join('\n\n'),
      headers,
      content: { [JSON_TYPE]: withExample({ schema: errorSchema(REF, Number(status), codes) }, op.examples?.responses?.[status]) },
    };
  }
  return out;
}

/** The envelope, narrowed to one status and the codes this operation answers with it. */
function errorSchema(ref, status, codes, constOf = (value) => ({ const: value })) {
  return {
    allOf: [
      { $ref: `${ref}ErrorEnvelope` },
      { type: 'object', properties: { error: { type: 'object', properties: { code: { enum: codes }, status: constOf(status) } } } },
    ],
  };
}

const withExample = (media, example) => (example === undefined ? media : { ...media, example });

module.exports = { openApiDocument, errorSchema };
