// The API Gateway document: OpenAPI 2.0 as Google API Gateway takes it, from
// the route table. No `security`/`securityDefinitions`: the function checks the
// API's own keys, and a gateway security entry would demand a Google API key.
const { answerHeaders, errorsByStatus, localSchema, requestMediaType, titleOf } = require('./load');
const { errorSchema } = require('./openapi');

const REF = '#/definitions/';
// JSON Schema keywords Swagger 2.0's schema object has no equivalent for.
const UNSUPPORTED = [
  'oneOf',
  'anyOf',
  'not',
  'if',
  'then',
  'else',
  'propertyNames',
  'contains',
  'patternProperties',
  '$defs',
  'dependencies',
];

/**
 * @param {{contract: any, schemas: Map<string, any>}} loaded
 * @param {{backend: string, deadline?: number, jwtAudience?: string}} options
 */
function gatewayDocument({ contract, schemas }, { backend, deadline = 60, jwtAudience }) {
  const address = new URL(backend);
  if (address.protocol !== 'https:') throw new Error(`--backend must be an https URL (got ${backend})`);
  if (!(deadline > 0 && deadline <= 3600)) throw new Error(`--deadline must be a number of seconds, 0 < s <= 3600 (got ${deadline})`);

  const paths = {};
  for (const op of contract.operations) {
    paths[op.path] ??= {};
    paths[op.path][op.method.toLowerCase()] = operation(contract, schemas, op);
  }
  // The gateway serves only what is declared, preflights included: pass them to
  // the function, which answers CORS for the origins it is configured with.
  for (const [path, methods] of Object.entries(paths)) {
    methods.options = {
      operationId: `preflight_${Object.values(methods)
        .map((m) => m.operationId)
        .join('_')}`,
      summary: 'CORS preflight',
      description: 'Passed to the function, which answers it for the origins it is configured with.',
      parameters: pathParameters(contract, path),
      responses: { 204: { description: 'The CORS answer (Access-Control-Allow-*).' } },
    };
  }
  const definitions = {};
  for (const schema of schemas.values()) definitions[schema.title] = swagger2Schema(localSchema(schema, schemas, REF));
  const backendRule = { address: backend, path_translation: 'APPEND_PATH_TO_ADDRESS', deadline };
  if (jwtAudience) backendRule.jwt_audience = jwtAudience;
  return {
    swagger: '2.0',
    info: { title: contract.info.title, description: contract.info.description, version: contract.info.version },
    schemes: ['https'],
    consumes: ['application/json'],
    produces: ['application/json'],
    'x-google-backend': backendRule,
    paths,
    definitions,
  };
}

function operation(contract, schemas, op) {
  const parameters = [
    ...op.parameters.map((name) => parameter(contract, name)),
    ...Object.entries(op.headers).map(([name, required]) => ({
      name,
      in: 'header',
      required,
      description: contract.headers[name].description,
      ...swagger2Schema(contract.headers[name].schema),
    })),
  ];
  const multipart = requestMediaType(op) === 'multipart/form-data';
  if (op.request && multipart) parameters.push(...formParameters(schemas.get(op.request)));
  else if (op.request) parameters.push({ name: 'body', in: 'body', required: true, schema: { $ref: REF + titleOf(schemas, op.request) } });
  const requestId = { 'X-Request-Id': swagger2Header(contract.responseHeaders['X-Request-Id']) };
  const responses = {};
  for (const [status, response] of Object.entries(op.responses)) {
    responses[status] = { description: response.description, headers: requestId };
    if (response.schema) responses[status].schema = { $ref: REF + titleOf(schemas, response.schema) };
  }
  for (const [status, codes] of errorsByStatus(contract, op)) {
    const headers = { ...requestId };
    for (const name of answerHeaders(contract, codes)) headers[name] = swagger2Header(contract.responseHeaders[name]);
    responses[status] = {
      description: codes.map((code) => `${code}: ${contract.errors[code].description}`).join(' '),
      headers,
      schema: swagger2Schema(errorSchema(REF, Number(status), codes)),
    };
  }
  const consumes = multipart ? { consumes: ['multipart/form-data'] } : {};
  return { operationId: op.id, summary: op.summary, description: op.description, ...consumes, parameters, responses };
}

/** A multipart form's fields as Swagger 2.0 says them: `formData` parameters, a binary one of type `file`. */
function formParameters(schema) {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties).map(([name, s]) => {
    const { contentMediaType, description, ...rules } = s;
    return {
      name,
      in: 'formData',
      required: required.has(name),
      description,
      ...(contentMediaType ? { type: 'file' } : swagger2Schema(rules)),
    };
  });
}

function pathParameters(contract, path) {
  return [...path.matchAll(/\{([a-z_]+)\}/g)].map((m) => parameter(contract, m[1]));
}

function parameter(contract, name) {
  const p = contract.parameters[name];
  return { name, in: p.in, required: p.in === 'path', description: p.description, ...swagger2Schema(p.schema) };
}

const swagger2Header = (header) => ({ description: header.description, ...swagger2Schema(header.schema) });

/** A JSON Schema as Swagger 2.0 spells it (`const` as a one-value enum, nullable as x-nullable); refuses what 2.0 cannot say. */
function swagger2Schema(schema) {
  if (Array.isArray(schema)) return schema.map(swagger2Schema);
  if (schema === null || typeof schema !== 'object') return schema;
  const nullable = nullableOneOf(schema);
  if (nullable) return nullable;
  const out = {};
  for (const [key, value] of Object.entries(schema)) {
    if (UNSUPPORTED.includes(key)) throw new Error(`Swagger 2.0 has no ${key}: say it another way in schemas/`);
    if (key === 'const') out.enum = [value];
    // A form's file part: 2.0 says binary content with a format.
    else if (key === 'contentMediaType') out.format = 'binary';
    else if (key === 'type' && Array.isArray(value)) {
      const types = value.filter((t) => t !== 'null');
      if (types.length !== 1) throw new Error(`Swagger 2.0 has one type per schema (got ${value})`);
      out.type = types[0];
      if (value.includes('null')) out['x-nullable'] = true;
    } else if (key === 'properties') {
      out.properties = Object.fromEntries(Object.entries(value).map(([name, s]) => [name, swagger2Schema(s)]));
    } else out[key] = swagger2Schema(value);
  }
  return out;
}

/** `oneOf: [{type: null}, S]` is S with x-nullable: the one union 2.0 can say. */
function nullableOneOf(schema) {
  const branches = schema.oneOf ?? schema.anyOf;
  if (!branches || branches.length !== 2) return undefined;
  const others = branches.filter((b) => !(b.type === 'null' && Object.keys(b).length === 1));
  if (others.length !== 1) return undefined;
  const { oneOf: _one, anyOf: _any, ...rest } = schema;
  return { ...swagger2Schema({ ...others[0], ...rest }), 'x-nullable': true };
}

module.exports = { gatewayDocument };
