import { createApiKey } from '../../scripts/admin/api-keys';
import { startStack, type Stack } from '../support/stack';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack(__filename, {
    RATE_LIMIT_KEY_PER_SECOND: '1',
    RATE_LIMIT_KEY_BURST: '3',
    RATE_LIMIT_ORG_PER_SECOND: '1',
    RATE_LIMIT_ORG_BURST: '5',
  });
});
afterAll(() => stack.close());

async function list(key: string) {
  const response = await fetch(`${stack.api.url}/v1/organizations/${stack.organizationId}/files`, { headers: { 'X-API-Key': key } });
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as { error?: { code: string; status: number; details: { scope: string } } } };
}

describe('rate limits, per API key and per organization', () => {
  it('429 RATE_LIMIT_EXCEEDED with Retry-After past a key’s burst; another key of the organization then meets the organization’s', async () => {
    const first = [];
    for (let i = 0; i < 10; i++) first.push(await list(stack.apiKey));
    expect(first.slice(0, 3).map((a) => a.status)).toEqual([200, 200, 200]);
    const refused = first.find((a) => a.status === 429);
    expect(refused?.retryAfter).toMatch(/^[1-9]\d*$/);
    expect(refused?.body.error).toMatchObject({ code: 'RATE_LIMIT_EXCEEDED', status: 429, details: { scope: 'api_key' } });

    const other = (await createApiKey(stack.db, stack.principalId)).api_key;
    const second = [];
    for (let i = 0; i < 10; i++) second.push(await list(other));
    expect(second[0].status).toBe(200);
    expect(second.some((a) => a.status === 429 && a.body.error?.details.scope === 'organization')).toBe(true);
  });
});
