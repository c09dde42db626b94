import SwaggerParser from '@apidevtools/swagger-parser';
import Ajv2020 from 'ajv/dist/2020';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { committedDocuments } from '../../scripts/contract/documents';
import { gatewayDocument } from '../../scripts/contract/gateway';
import { loadContract, contractProblems, ROOT } from '../../scripts/contract/load';
import { openApiDocument } from '../../scripts/contract/openapi';

const run = promisify(execFile);
const loaded = loadContract();
const BACKEND = 'https://europe-west1-demo-proj.cloudfunctions.net/files';
type Doc = Record<string, any>;
const copy = (value: unknown): Doc => JSON.parse(JSON.stringify(value));

describe('the documents generated from the contract', () => {
  it('are committed as generated now (npm run docs)', () => {
    for (const [file, text] of Object.entries(committedDocuments(loaded))) {
      expect({ file, text: readFileSync(join(ROOT, file), 'utf8') }).toEqual({ file, text });
    }
  });

  it('OpenAPI 3.1 passes the validator, and every schema in it compiles as JSON Schema 2020-12', async () => {
    const doc = copy(openApiDocument(loaded));
    await expect(SwaggerParser.validate(copy(doc) as never)).resolves.toBeTruthy();
    const ajv = new Ajv2020({ strict: true });
    for (const [name, schema] of Object.entries(doc.components.schemas)) ajv.addSchema(schema as object, `#/components/schemas/${name}`);
    for (const name of Object.keys(doc.components.schemas)) expect(() => ajv.getSchema(`#/components/schemas/${name}`)).not.toThrow();
  });

  it('the gateway document passes the Swagger 2.0 validator and routes every path to the function', async () => {
    const doc = copy(gatewayDocument(loaded, { backend: BACKEND, deadline: 45 }));
    await expect(SwaggerParser.validate(copy(doc) as never)).resolves.toBeTruthy();
    expect(doc.swagger).toBe('2.0');
    expect(doc['x-google-backend']).toEqual({ address: BACKEND, path_translation: 'APPEND_PATH_TO_ADDRESS', deadline: 45 });
    // A gateway security entry would demand a Google API key; the function checks the API's own.
    expect(JSON.stringify(doc)).not.toMatch(/"security(Definitions)?"/);
  });

  it('the gateway document declares every operation with its headers, parameters, responses and envelope', () => {
    const doc = copy(gatewayDocument(loaded, { backend: BACKEND }));
    const ids = new Set<string>();
    for (const op of loaded.contract.operations) {
      const declared = doc.paths[op.path][op.method.toLowerCase()];
      expect(declared.operationId).toBe(op.id);
      ids.add(declared.operationId);
      const params = new Map<string, Doc>(declared.parameters.map((p: Doc) => [`${p.in}:${p.name}`, p]));
      expect(params.get('header:X-API-Key')).toMatchObject({ required: true, type: 'string' });
      for (const name of op.parameters) expect(params.get(`${loaded.contract.parameters[name].in}:${name}`)).toBeDefined();
      if (op.id === 'createUploadUrl') {
        expect(params.get('header:Idempotency-Key')).toMatchObject({ required: false, type: 'string', maxLength: 255 });
        expect(params.get('header:Origin')).toMatchObject({ required: false, type: 'string' });
        expect(params.get('body:body')?.schema).toEqual({ $ref: '#/definitions/UploadUrlRequest' });
      }
      for (const status of Object.keys(op.responses)) expect(declared.responses[status]).toBeDefined();
      for (const status of ['401', '403', '413', '500', '503']) {
        expect(declared.responses[status].schema.allOf[0]).toEqual({ $ref: '#/definitions/ErrorEnvelope' });
      }
    }
    for (const path of Object.values<Doc>(doc.paths)) ids.add(path.options.operationId);
    expect(ids.size).toBe(loaded.contract.operations.length + Object.keys(doc.paths).length);
    // Swagger 2.0 has no const and no type lists: nullable fields say x-nullable.
    expect(doc.definitions.FileObject.properties.object).toEqual({ type: 'string', enum: ['file'] });
    expect(doc.definitions.FileObject.properties.uploaded_at).toEqual({ type: 'string', 'x-nullable': true });
    expect(doc.definitions.FileObject.properties.failure).toMatchObject({
      type: 'object',
      required: ['reason', 'field', 'expected', 'actual'],
      'x-nullable': true,
    });
  });

  it('the CLI writes that document, and refuses bad usage', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gateway-'));
    try {
      const out = join(dir, 'gateway.yaml');
      await run(process.execPath, ['scripts/gateway-openapi.js', '--backend', BACKEND, '--deadline', '30', '--out', out], { cwd: ROOT });
      expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(copy(gatewayDocument(loaded, { backend: BACKEND, deadline: 30 })));
      for (const args of [
        ['--out', out],
        ['--backend', 'http://insecure.example', '--out', out],
        ['--backend', BACKEND, '--deadline', 'soon', '--out', out],
        ['--what'],
      ]) {
        await expect(run(process.execPath, ['scripts/gateway-openapi.js', ...args], { cwd: ROOT })).rejects.toMatchObject({ code: 2 });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the table's examples are valid requests and answers of their operations", () => {
    const doc = copy(openApiDocument(loaded));
    const ajv = new Ajv2020({ strict: false });
    ajv.addSchema(doc, 'openapi.json');
    const ptr = (...parts: string[]) => `openapi.json#/${parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
    let checked = 0;
    for (const op of loaded.contract.operations) {
      const method = op.method.toLowerCase();
      if (op.examples?.request) {
        const validate = ajv.getSchema(ptr('paths', op.path, method, 'requestBody', 'content', 'application/json', 'schema'))!;
        expect(validate(op.examples.request)).toBe(true);
        checked += 1;
      }
      for (const [status, body] of Object.entries(op.examples?.responses ?? {})) {
        const validate = ajv.getSchema(ptr('paths', op.path, method, 'responses', status, 'content', 'application/json', 'schema'))!;
        expect({ op: op.id, status, valid: validate(body), errors: validate.errors }).toMatchObject({ valid: true });
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(5);
  });

  it('the table is checked against the schemas: an error code nobody documents, or a handler named twice, is refused', () => {
    const { contract, schemas } = loaded;
    expect(contractProblems(contract, schemas)).toEqual([]);
    const broken = copy(contract);
    delete broken.errors.QUOTA_EXCEEDED;
    broken.operations[1].handler = broken.operations[0].handler;
    broken.operations[2].parameters = [];
    expect(contractProblems(broken, schemas)).toEqual([
      'error code QUOTA_EXCEEDED (error-envelope.schema.json) is not in "errors"',
      'operation createUploadUrl: unknown error code QUOTA_EXCEEDED',
      'operation registerFile: handler upload-url used twice',
      'operation listFiles: path parameters  do not match /v1/organizations/{organization_id}/files',
      'operation uploadFile: unknown error code QUOTA_EXCEEDED',
    ]);
    const misdeclared = copy(contract);
    misdeclared.operations[0].errorStatus = { NOT_AMONG_ITS_ERRORS: 413 };
    expect(contractProblems(misdeclared, schemas)).toEqual([
      'operation createUploadUrl: errorStatus names NOT_AMONG_ITS_ERRORS, which is not among its errors',
    ]);
  });
});
