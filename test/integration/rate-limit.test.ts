import { createApiKey } from '../../scripts/admin/api-keys';
import { startStack, type Stack } from '../support/stack';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack(__filename, {
    // A token every 1000 s: nothing refills while the test runs, however slowly.
    RATE_LIMIT_KEY_PER_SECOND: '0.001',
    RATE_LIMIT_KEY_BURST: '3',
    RATE_LIMIT_ORG_PER_SECOND: '0.001',
    RATE_LIMIT_ORG_BURST: '5',
  });
});
afterAll(() => stack.close());

async function list(key: string) {
  const response = await fetch(`${stack.api.url}/v1/organizations/${stack.organizationId}/files`, { headers: { 'X-API-Key': key } });
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    body: (await response.json()) as { error?: { code: string; status: number; details: { scope: string } } },
  };
}

describe('rate limits, per API key and per organization', () => {
  it('429 RATE_LIMIT_EXCEEDED with Retry-After past a key’s burst; another key of the organization then meets the organization’s', async () => {
    const first = [];
    for (let i = 0; i < 4; i++) first.push(await list(stack.apiKey));
    expect(first.map((a) => a.status)).toEqual([200, 200, 200, 429]);
    const refused = first[3];
    expect(refused.retryAfter).toMatch(/^[1-9]\d*$/);
    expect(refused.body.error).toMatchObject({ code: 'RATE_LIMIT_EXCEEDED', status: 429, details: { scope: 'api_key' } });

    const other = (await createApiKey(stack.db, stack.principalId)).api_key;
    const second = [];
    for (let i = 0; i < 3; i++) second.push(await list(other));
    // The organization had 5: 3 went to the first key, 2 to this one.
    expect(second.map((a) => a.status)).toEqual([200, 200, 429]);
    expect(second[2].body.error).toMatchObject({ code: 'RATE_LIMIT_EXCEEDED', details: { scope: 'organization' } });
  });
});
