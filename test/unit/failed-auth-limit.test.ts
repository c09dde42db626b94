import { randomBytes } from 'node:crypto';
import { KEYS, ORG_A, ORG_B, startInProcessApi, type InProcessApi } from '../fuzz/support/in-process-api';

// 20 failures per address, then none for 1000 s: nothing refills while the test runs.
let api: InProcessApi;
beforeAll(async () => {
  api = await startInProcessApi({
    RATE_LIMIT_FAILURES_PER_SECOND: '0.001',
    RATE_LIMIT_FAILURES_BURST: '20',
    TRUSTED_PROXY_HOPS: '1',
  });
});
afterAll(() => api.close());

const madeUpKey = () => `ak_${randomBytes(32).toString('base64url')}`;

/** A listing from `address` as Google's front end reports it: appended last, after whatever the client wrote. */
async function list(key: string, address: string, org = ORG_A) {
  const response = await fetch(`${api.url}/v1/organizations/${org}/files`, {
    headers: { 'X-API-Key': key, 'X-Forwarded-For': `198.51.100.99, ${address}` },
  });
  const body = (await response.json()) as { error?: { code: string; details: Record<string, unknown> } };
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body };
}

const lookups = () => api.backends.calls.filter((call) => call === 'findApiKey').length;

describe('failed authentication, limited per client address', () => {
  it('600 made-up keys from one address: 401 up to the limit, then 429 without a lookup; a valid key still works', async () => {
    const address = '203.0.113.10';
    // The valid key is in use from that address before the flood.
    expect((await list(KEYS.active, address)).status).toBe(200);
    const before = lookups();
    const answers = [];
    for (let i = 0; i < 600; i++) answers.push(await list(madeUpKey(), address));
    const statuses = answers.map((a) => a.status);
    expect(statuses.slice(0, 20)).toEqual(Array(20).fill(401));
    expect(statuses.slice(20)).toEqual(Array(580).fill(429));
    expect(answers[20].retryAfter).toMatch(/^[1-9]\d*$/);
    expect(answers[20].body.error).toMatchObject({ code: 'RATE_LIMIT_EXCEEDED', details: { scope: 'client_address' } });
    // Only the 20 failures before the limit cost a lookup.
    expect(lookups() - before).toBe(20);

    expect((await list(KEYS.active, address)).status).toBe(200);
    // Another address is not affected; the spoofable first entry is not the address.
    expect((await list(madeUpKey(), '203.0.113.11')).status).toBe(401);
  });

  it('counts a member key refused by another organization, and refuses its next lookups there', async () => {
    const address = '203.0.113.20';
    for (let i = 0; i < 20; i++) expect((await list(KEYS.active, address, ORG_B)).status).toBe(403);
    const members = api.backends.calls.filter((call) => call === 'isMember').length;
    expect((await list(KEYS.active, address, ORG_B)).status).toBe(429);
    expect(api.backends.calls.filter((call) => call === 'isMember').length).toBe(members);
    // Its own organization, seen valid before, still answers.
    expect((await list(KEYS.active, address)).status).toBe(200);
  });

  it('never looks up a malformed key', async () => {
    const before = lookups();
    for (const key of ['nope', `ak_${'x'.repeat(42)}`, `ak_${'!'.repeat(43)}`, `AK_${'A'.repeat(43)}`]) {
      expect((await list(key, '203.0.113.30')).status).toBe(401);
    }
    expect(lookups()).toBe(before);
  });
});
