import { Firestore } from '@google-cloud/firestore';
import { apiKeyHash } from '../../functions/domain/api-key';
import { findApiKey, setKeyStatus } from '../../scripts/admin/api-keys';
import { seedDemo } from '../../scripts/local-stack/demo-seed';

let db: Firestore;

beforeAll(() => {
  db = new Firestore({ projectId: 'test-start-seed' });
});

afterAll(async () => {
  await db.terminate();
});

describe('seedDemo', () => {
  it('creates the demo organization, its owner and a key, then reuses them', async () => {
    const first = await seedDemo(db, undefined);
    expect(first.origin).toBe('new');
    expect((await db.doc('organizations/org_demo').get()).get('name')).toBe('Demo organization');
    expect((await db.doc('organizations/org_demo/members/usr_demo').get()).get('role')).toBe('owner');
    expect(await findApiKey(db, first.apiKey)).toMatchObject({ principal_id: 'usr_demo', status: 'active' });

    expect(await seedDemo(db, first.apiKey)).toEqual({ apiKey: first.apiKey, origin: 'reused' });
  });

  it('re-stores a known key whose document is gone', async () => {
    const { apiKey } = await seedDemo(db, undefined);
    await db.collection('api_keys').doc(apiKeyHash(apiKey)).delete();
    expect(await seedDemo(db, apiKey)).toEqual({ apiKey, origin: 'restored' });
    expect(await findApiKey(db, apiKey)).toMatchObject({ principal_id: 'usr_demo', status: 'active' });
  });

  it('mints a new key when the last one was revoked, or is not a key at all', async () => {
    const { apiKey } = await seedDemo(db, undefined);
    await setKeyStatus(db, (await findApiKey(db, apiKey))!.key_id, 'revoke');
    const replaced = await seedDemo(db, apiKey);
    expect(replaced.origin).toBe('new');
    expect(replaced.apiKey).not.toBe(apiKey);
    expect((await seedDemo(db, 'not-a-key')).origin).toBe('new');
  });
});
