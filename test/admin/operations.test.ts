import { Firestore } from '@google-cloud/firestore';
import { apiKeyHash, isWellFormedApiKey, type ApiKeyDoc } from '../../functions/domain/api-key';
import { createApiKey, findApiKey, listKeys, restoreApiKey, setKeyStatus } from '../../scripts/admin/api-keys';
import { AlreadyExistsError, NotFoundError, RefusedError, UsageError } from '../../scripts/admin/errors';
import { addMember, removeMember } from '../../scripts/admin/members';
import { createOrganization } from '../../scripts/admin/organizations';
import { Authenticator } from '../../functions/http/authenticate';
import { FirestoreDirectory } from '../../functions/adapters/firestore-directory';

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

let db: Firestore;

beforeAll(() => {
  db = new Firestore({ projectId: 'test-admin-ops' });
});

afterAll(async () => {
  await db.terminate();
});

describe('createApiKey', () => {
  it('stores the key only as its hash, with last4 and an active status', async () => {
    const created = await createApiKey(db, 'usr_hash');
    expect(isWellFormedApiKey(created.api_key)).toBe(true);
    const snap = await db.collection('api_keys').doc(apiKeyHash(created.api_key)).get();
    expect(snap.exists).toBe(true);
    const doc = snap.data() as ApiKeyDoc;
    expect(doc).toEqual({
      key_id: created.key_id,
      principal_id: 'usr_hash',
      status: 'active',
      expires_at: null,
      created_at: expect.stringMatching(ISO_UTC),
      last4: created.api_key.slice(-4),
    });
    expect(JSON.stringify(doc)).not.toContain(created.api_key.slice(3));
  });

  it('keeps the expiry it is given, in whole seconds as the API writes times', async () => {
    const created = await createApiKey(db, 'usr_expiring', { expiresAt: '2099-01-01T00:00:00Z' });
    expect((await findApiKey(db, created.api_key))?.expires_at).toBe('2099-01-01T00:00:00Z');
    const fractional = await createApiKey(db, 'usr_expiring', { expiresAt: '2099-01-01T00:00:00.750Z' });
    expect((await findApiKey(db, fractional.api_key))?.expires_at).toBe('2099-01-01T00:00:00Z');
  });

  it('refuses a malformed principal id', async () => {
    await expect(createApiKey(db, 'usr x')).rejects.toBeInstanceOf(UsageError);
  });
});

describe('restoreApiKey', () => {
  it('re-creates the document of a known key once, and refuses to overwrite it', async () => {
    const { api_key } = await createApiKey(db, 'usr_restore');
    await db.collection('api_keys').doc(apiKeyHash(api_key)).delete();
    expect(await findApiKey(db, api_key)).toBeUndefined();
    const restored = await restoreApiKey(db, api_key, 'usr_restore');
    expect(await findApiKey(db, api_key)).toMatchObject({ key_id: restored.key_id, principal_id: 'usr_restore', status: 'active' });
    await expect(restoreApiKey(db, api_key, 'usr_restore')).rejects.toBeInstanceOf(AlreadyExistsError);
  });
});

describe('setKeyStatus', () => {
  it('moves between active and paused, and makes revocation final', async () => {
    const { key_id, api_key } = await createApiKey(db, 'usr_status');
    const status = async () => (await findApiKey(db, api_key))?.status;
    expect(await setKeyStatus(db, key_id, 'pause')).toEqual({ key_id, status: 'paused', changed: true });
    expect(await status()).toBe('paused');
    expect(await setKeyStatus(db, key_id, 'pause')).toEqual({ key_id, status: 'paused', changed: false });
    expect(await setKeyStatus(db, key_id, 'resume')).toEqual({ key_id, status: 'active', changed: true });
    expect(await setKeyStatus(db, key_id, 'revoke')).toEqual({ key_id, status: 'deactivated', changed: true });
    await expect(setKeyStatus(db, key_id, 'resume')).rejects.toBeInstanceOf(RefusedError);
    await expect(setKeyStatus(db, key_id, 'pause')).rejects.toBeInstanceOf(RefusedError);
    expect(await status()).toBe('deactivated');
    expect(await setKeyStatus(db, key_id, 'revoke')).toMatchObject({ changed: false });
  });

  it('reports an unknown key id as not found and a malformed one as usage', async () => {
    await expect(setKeyStatus(db, 'key_unknown0000000', 'pause')).rejects.toBeInstanceOf(NotFoundError);
    await expect(setKeyStatus(db, 'nope', 'pause')).rejects.toBeInstanceOf(UsageError);
  });
});

describe('listKeys', () => {
  it("lists one principal's keys, oldest first, with no secret in them", async () => {
    const a = await createApiKey(db, 'usr_lister');
    const b = await createApiKey(db, 'usr_lister', { expiresAt: '2098-05-05T05:05:05Z' });
    await createApiKey(db, 'usr_someone_else');
    const keys = await listKeys(db, 'usr_lister');
    expect(keys).toEqual([
      { key_id: a.key_id, status: 'active', expires_at: null, created_at: expect.stringMatching(ISO_UTC), last4: a.api_key.slice(-4) },
      {
        key_id: b.key_id,
        status: 'active',
        expires_at: '2098-05-05T05:05:05Z',
        created_at: expect.stringMatching(ISO_UTC),
        last4: b.api_key.slice(-4),
      },
    ]);
    expect(await listKeys(db, 'usr_without_keys')).toEqual([]);
  });
});

describe('createOrganization', () => {
  it('writes name and created_at, defaulting the name to the id, and refuses a duplicate', async () => {
    expect(await createOrganization(db, 'org_ops', 'Ops Org')).toMatchObject({ organization_id: 'org_ops', name: 'Ops Org' });
    expect((await db.doc('organizations/org_ops').get()).data()).toEqual({ name: 'Ops Org', created_at: expect.stringMatching(ISO_UTC) });
    await createOrganization(db, 'org_unnamed');
    expect((await db.doc('organizations/org_unnamed').get()).get('name')).toBe('org_unnamed');
    await expect(createOrganization(db, 'org_ops', 'Other')).rejects.toBeInstanceOf(AlreadyExistsError);
    expect((await db.doc('organizations/org_ops').get()).get('name')).toBe('Ops Org');
  });

  it('refuses malformed ids and names', async () => {
    await expect(createOrganization(db, 'org/ops')).rejects.toBeInstanceOf(UsageError);
    await expect(createOrganization(db, 'o'.repeat(129))).rejects.toBeInstanceOf(UsageError);
    await expect(createOrganization(db, 'org_bad_name', 'a\nb')).rejects.toBeInstanceOf(UsageError);
  });
});

describe('addMember and removeMember', () => {
  beforeAll(async () => {
    await createOrganization(db, 'org_team');
  });

  it('adds a member with a role (member by default) and refuses a duplicate without changing it', async () => {
    await addMember(db, 'org_team', 'usr_owner', 'owner');
    await addMember(db, 'org_team', 'usr_plain');
    const member = (id: string) => db.doc(`organizations/org_team/members/${id}`).get();
    expect((await member('usr_owner')).data()).toEqual({ role: 'owner', created_at: expect.stringMatching(ISO_UTC) });
    expect((await member('usr_plain')).get('role')).toBe('member');
    await expect(addMember(db, 'org_team', 'usr_owner', 'member')).rejects.toBeInstanceOf(AlreadyExistsError);
    expect((await member('usr_owner')).get('role')).toBe('owner');
  });

  it('refuses an unknown organization, a bad role and unknown members', async () => {
    await expect(addMember(db, 'org_missing', 'usr_a')).rejects.toThrow(new NotFoundError('organization org_missing does not exist'));
    await expect(addMember(db, 'org_team', 'usr_a', 'root' as never)).rejects.toBeInstanceOf(UsageError);
    expect((await db.doc('organizations/org_missing/members/usr_a').get()).exists).toBe(false);
    await expect(removeMember(db, 'org_team', 'usr_stranger')).rejects.toThrow('usr_stranger is not a member of org_team');
    await expect(removeMember(db, 'org_missing', 'usr_a')).rejects.toThrow('organization org_missing does not exist');
  });

  it('removes a member', async () => {
    await addMember(db, 'org_team', 'usr_leaving');
    await removeMember(db, 'org_team', 'usr_leaving');
    expect((await db.doc('organizations/org_team/members/usr_leaving').get()).exists).toBe(false);
  });
});

describe('one tenancy model for files-admin and the function', () => {
  it('an organization and member files-admin creates with the longest id are the ones the function authorizes', async () => {
    const organizationId = `org_${'x'.repeat(124)}`;
    expect(organizationId).toHaveLength(128);
    await createOrganization(db, organizationId);
    await addMember(db, organizationId, 'usr_longest');
    const key = await createApiKey(db, 'usr_longest');
    const auth = new Authenticator(new FirestoreDirectory(db, 5000), 0);
    const caller = await auth.authenticate({ 'x-api-key': key.api_key });
    await expect(auth.authorize(caller, organizationId)).resolves.toBeUndefined();
    await expect(async () => auth.authorize(caller, `${organizationId}x`)).rejects.toMatchObject({ status: 403 });
  });
});
