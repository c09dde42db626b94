import { MemoryBackends } from '../../functions/adapters/in-memory';
import { newApiKey, type ApiKeyDoc } from '../../functions/domain/api-key';
import { ApiError } from '../../functions/errors/api-error';
import { Authenticator } from '../../functions/http/authenticate';

const doc = (change: Partial<ApiKeyDoc> = {}): ApiKeyDoc => ({
  key_id: 'key_1',
  principal_id: 'usr_1',
  status: 'active',
  expires_at: null,
  created_at: '2026-01-01T00:00:00Z',
  last4: 'abcd',
  ...change,
});

/** The outcome's code, whether `attempt` throws, rejects, returns or resolves. */
async function code(attempt: () => unknown): Promise<string> {
  try {
    await attempt();
    return 'ok';
  } catch (error) {
    return (error as ApiError).code;
  }
}

describe('Authenticator', () => {
  it('maps every key state to its code', async () => {
    const backends = new MemoryBackends();
    const auth = new Authenticator(backends, 0);
    const keys = {
      active: newApiKey(),
      paused: newApiKey(),
      deactivated: newApiKey(),
      expired: newApiKey(),
      future: newApiKey(),
    };
    backends.addKey(keys.active, doc());
    backends.addKey(keys.paused, doc({ status: 'paused' }));
    backends.addKey(keys.deactivated, doc({ status: 'deactivated' }));
    backends.addKey(keys.expired, doc({ expires_at: '2020-01-01T00:00:00Z' }));
    backends.addKey(keys.future, doc({ expires_at: '2999-01-01T00:00:00Z' }));
    expect(await code(() => auth.authenticate({}))).toBe('AUTHENTICATION_REQUIRED');
    expect(await code(() => auth.authenticate({ 'x-api-key': '' }))).toBe('AUTHENTICATION_REQUIRED');
    expect(await code(() => auth.authenticate({ 'x-api-key': 'not-a-key' }))).toBe('INVALID_API_KEY');
    expect(await code(() => auth.authenticate({ 'x-api-key': newApiKey() }))).toBe('INVALID_API_KEY');
    expect(await code(() => auth.authenticate({ 'x-api-key': keys.active }))).toBe('ok');
    expect(await code(() => auth.authenticate({ 'x-api-key': keys.paused }))).toBe('API_KEY_PAUSED');
    expect(await code(() => auth.authenticate({ 'x-api-key': keys.deactivated }))).toBe('API_KEY_DEACTIVATED');
    expect(await code(() => auth.authenticate({ 'x-api-key': keys.expired }))).toBe('API_KEY_EXPIRED');
    expect(await code(() => auth.authenticate({ 'x-api-key': keys.future }))).toBe('ok');
  });

  it('does not look up a malformed key at all', async () => {
    const backends = new MemoryBackends();
    await code(() => new Authenticator(backends, 0).authenticate({ 'x-api-key': 'ak_short' }));
    expect(backends.calls).toEqual([]);
  });

  it('answers a non-member and a missing or malformed organization alike', async () => {
    const backends = new MemoryBackends();
    backends.addMember('org_a', 'usr_1');
    const auth = new Authenticator(backends, 0);
    const caller = { principalId: 'usr_1', keyId: 'key_1' };
    expect(await code(() => auth.authorize(caller, 'org_a'))).toBe('ok');
    for (const org of ['org_b', 'no_such_org', '../org_a', '']) {
      await expect(async () => auth.authorize(caller, org)).rejects.toMatchObject({
        status: 403,
        code: 'ORGANIZATION_ACCESS_DENIED',
        details: { organization_id: org },
      });
      expect(await code(() => auth.authorize(caller, org))).toBe('ORGANIZATION_ACCESS_DENIED');
    }
  });

  it('caches hits for its lifetime, so a warm request makes no lookup; misses are never cached', async () => {
    let now = 0;
    const backends = new MemoryBackends();
    const key = newApiKey();
    const auth = new Authenticator(backends, 30_000, () => now);
    expect(await code(() => auth.authenticate({ 'x-api-key': key }))).toBe('INVALID_API_KEY');
    backends.addKey(key, doc());
    expect(await code(() => auth.authenticate({ 'x-api-key': key }))).toBe('ok');
    backends.calls.length = 0;
    backends.addKey(key, doc({ status: 'deactivated' }));
    expect(await code(() => auth.authenticate({ 'x-api-key': key }))).toBe('ok');
    expect(await auth.authenticate({ 'x-api-key': key })).toEqual({ principalId: 'usr_1', keyId: 'key_1' });
    expect(backends.calls).toEqual([]);
    now = 30_000;
    expect(await code(() => auth.authenticate({ 'x-api-key': key }))).toBe('API_KEY_DEACTIVATED');
  });
});
