import { setKeyStatus } from '../../scripts/admin/api-keys';
import { removeMember } from '../../scripts/admin/members';
import { seedMember, startStack, type Stack } from '../support/stack';

let stack: Stack;
beforeAll(async () => {
  // A one-second cache, so revocation can be watched taking effect.
  stack = await startStack(__filename, { AUTH_CACHE_TTL_SECONDS: '1' });
});
afterAll(() => stack.close());

type Answer = { file_id: string; upload_url: string; error: { code: string } };
const read = (response: Response) => response.json() as Promise<Answer>;

const body = { filename: 'report.pdf', file_size: 2048, mime_type: 'application/pdf' };

function post(key: string, extra: Record<string, string> = {}, payload: unknown = body, org = stack.organizationId) {
  return fetch(stack.uploadUrl(org), {
    method: 'POST',
    headers: { 'X-API-Key': key, 'Content-Type': 'application/json', ...extra },
    body: JSON.stringify(payload),
  });
}

async function until(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('Idempotency-Key against Firestore', () => {
  it('a retry gets the same session, and one record exists', async () => {
    const first = await post(stack.apiKey, { 'Idempotency-Key': 'upload-42' });
    const second = await post(stack.apiKey, { 'Idempotency-Key': 'upload-42' });
    expect([first.status, second.status]).toEqual([200, 200]);
    const [a, b] = [await read(first), await read(second)];
    expect(b).toEqual(a);
    const records = await stack.db.collection(`organizations/${stack.organizationId}/files`).where('id', '==', a.file_id).get();
    expect(records.size).toBe(1);
  });

  it('concurrent requests with one key make one session', async () => {
    const answers = await Promise.all(Array.from({ length: 6 }, () => post(stack.apiKey, { 'Idempotency-Key': 'burst-1' })));
    const bodies = await Promise.all(answers.map(read));
    const ok = bodies.filter((_, i) => answers[i].status === 200);
    // Any that could not see the first one finish are told to retry, never given a second session.
    for (const [i, answer] of answers.entries()) if (answer.status !== 200) expect(bodies[i].error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(ok.length).toBeGreaterThan(0);
    expect(new Set(ok.map((s) => s.upload_url)).size).toBe(1);
    const uploading = await stack.db
      .collection(`organizations/${stack.organizationId}/files`)
      .where('original_filename', '==', body.filename)
      .where('status', '==', 'uploading')
      .get();
    expect(uploading.docs.filter((d) => d.get('id') === ok[0].file_id)).toHaveLength(1);
  });

  it('the same key from another member is another request', async () => {
    const { apiKey: other } = await seedMember(stack.db, stack.organizationId, 'usr_carol');
    const mine = await read(await post(stack.apiKey, { 'Idempotency-Key': 'shared-name' }));
    const theirs = await read(await post(other, { 'Idempotency-Key': 'shared-name' }));
    expect(theirs.file_id).not.toBe(mine.file_id);
  });
});

describe('revocation', () => {
  it('a paused key stops working within the cache lifetime, and works again once resumed', async () => {
    const { apiKey, keyId } = await seedMember(stack.db, stack.organizationId, 'usr_dave');
    expect((await post(apiKey)).status).toBe(200);
    await setKeyStatus(stack.db, keyId, 'pause');
    await until(async () => (await post(apiKey)).status === 401);
    expect((await read(await post(apiKey))).error.code).toBe('API_KEY_PAUSED');
    await setKeyStatus(stack.db, keyId, 'resume');
    await until(async () => (await post(apiKey)).status === 200);
  });

  it('a removed member loses access within the cache lifetime', async () => {
    const { apiKey } = await seedMember(stack.db, stack.organizationId, 'usr_erin');
    expect((await post(apiKey)).status).toBe(200);
    await removeMember(stack.db, stack.organizationId, 'usr_erin');
    await until(async () => (await post(apiKey)).status === 403);
  });

  it('a new member gets in at once: refusals are never cached', async () => {
    const { apiKey } = await seedMember(stack.db, 'org_new', 'usr_frank');
    await removeMember(stack.db, 'org_new', 'usr_frank');
    expect((await post(apiKey, {}, body, 'org_new')).status).toBe(403);
    await seedMember(stack.db, 'org_new', 'usr_frank');
    expect((await post(apiKey, {}, body, 'org_new')).status).toBe(200);
  });
});
