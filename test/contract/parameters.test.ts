import { endpoints } from '../../functions/http/dispatch';
import { servedOperations, type FilesApiDeps } from '../../functions/http/files-api';
import { seedUploadedFiles } from '../../bench/lib/seed-file-records';
import { loadContract } from '../../scripts/contract/load';
import { startStack, type Stack } from '../support/stack';

// The table's rules for query parameters and headers, held against what the function does:
// each value the schema refuses is a 400 naming the parameter, each it allows is not.
const { contract } = loadContract();
const servedIds = new Set<string>(servedOperations(endpoints({} as FilesApiDeps)).map((op) => op.id));
interface TableOperation {
  id: string;
  method: string;
  path: string;
  parameters: string[];
  examples?: { request?: unknown };
}
const operations = contract.operations as TableOperation[];
const SAMPLE: Record<string, string> = { organization_id: 'org_123', file_id: 'file_abc123xyz789' };

interface Schema {
  type: string;
  items?: Schema;
  minimum?: number;
  maximum?: number;
  enum?: string[];
  maxLength?: number;
  pattern?: string;
}

function values(schema: Schema): { good: string[]; bad: string[] } {
  if (schema.type === 'array' && schema.items) return values(schema.items);
  if (schema.enum) return { good: schema.enum, bad: ['bogus', schema.enum[0].toUpperCase()] };
  if (schema.type === 'integer') {
    return {
      good: [String(schema.minimum), String(schema.maximum)],
      bad: [String((schema.minimum as number) - 1), String((schema.maximum as number) + 1), '1.5', 'ten'],
    };
  }
  if (schema.maxLength) return { good: ['k'.repeat(schema.maxLength)], bad: ['k'.repeat(schema.maxLength + 1), 'has space', 'tab\there'] };
  throw new Error(`no sample values for ${JSON.stringify(schema)}`);
}

const queryCases: [string, TableOperation, string, { good: string[]; bad: string[] }][] = operations
  .filter((op) => servedIds.has(op.id))
  .flatMap((op) =>
    op.parameters
      .filter((name) => contract.parameters[name].in === 'query')
      .map((name): [string, TableOperation, string, { good: string[]; bad: string[] }] => [
        `${op.id} ?${name}`,
        op,
        name,
        values(contract.parameters[name].schema),
      ]),
  );

describe('query parameters and headers behave as the contract says', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack(__filename);
  });
  afterAll(() => stack?.close());

  const send = async (method: string, path: string, headers: Record<string, string> = {}, body?: unknown) => {
    const res = await fetch(`${stack.api.url}${path}`, {
      method,
      headers: { 'X-API-Key': stack.apiKey, ...(body ? { 'Content-Type': 'application/json' } : {}), ...headers },
      body: body ? JSON.stringify(body) : undefined,
    });
    const json = (await res.json().catch(() => ({}))) as { error?: { code?: string; details?: { field?: string } } };
    return { status: res.status, code: json.error?.code, field: json.error?.details?.field };
  };

  it('has query parameters to check', () => {
    expect(queryCases.length).toBeGreaterThanOrEqual(3);
  });

  /** A page token is good only as the API wrote it: the next_page_token of a listing with the defaults, which needs a second page. */
  const livePageToken = async (): Promise<string> => {
    await seedUploadedFiles(stack.db, SAMPLE.organization_id, 51);
    const answer = await fetch(`${stack.api.url}/v1/organizations/${SAMPLE.organization_id}/files`, {
      headers: { 'X-API-Key': stack.apiKey },
    });
    return ((await answer.json()) as { next_page_token: string }).next_page_token;
  };

  /** An event cursor is good only if it names an event of the organization: the one an upload-url just made. */
  const liveEventId = async (): Promise<string> => {
    const upload = operations.find((o) => o.id === 'createUploadUrl') as TableOperation;
    expect(
      (await send('POST', upload.path.replace('{organization_id}', SAMPLE.organization_id), {}, upload.examples?.request)).status,
    ).toBe(200);
    const events = await stack.db.collection(`organizations/${SAMPLE.organization_id}/events`).limit(1).get();
    return events.docs[0].id;
  };

  it.each(queryCases)('%s', async (_, op, name, { good: sampled, bad }) => {
    const good = name === 'page_token' ? [await livePageToken()] : name === 'after' ? [await liveEventId()] : sampled;
    const path = op.path.replace(/\{([a-z_]+)\}/g, (_match: string, p: string) => SAMPLE[p]);
    for (const value of bad) {
      const answer = await send(op.method, `${path}?${name}=${encodeURIComponent(value)}`);
      expect({ value, ...answer }).toEqual({ value, status: 400, code: 'INVALID_FIELD_VALUE', field: name });
    }
    for (const value of good) {
      const answer = await send(op.method, `${path}?${name}=${encodeURIComponent(value)}`);
      expect({ value, status: answer.status }).not.toEqual({ value, status: 400 });
    }
  });

  it('Idempotency-Key', async () => {
    const op = operations.find((o) => o.id === 'createUploadUrl') as TableOperation;
    const path = op.path.replace('{organization_id}', stack.organizationId);
    const { good, bad } = values(contract.headers['Idempotency-Key'].schema);
    for (const value of bad) {
      const answer = await send('POST', path, { 'Idempotency-Key': value }, op.examples?.request);
      expect({ value, ...answer }).toEqual({ value, status: 400, code: 'INVALID_FIELD_VALUE', field: 'Idempotency-Key' });
    }
    for (const value of good)
      expect(await send('POST', path, { 'Idempotency-Key': value }, op.examples?.request)).toMatchObject({ status: 200 });
  });
});
