import { startFilesApi, type RunningApi } from '../support/files-api-server';
import { BOUNDARY, multipartBody } from '../support/multipart';
import { emulatorHosts, seedMember, startStack, type Stack } from '../support/stack';

let stack: Stack;
// Three more instances of the function on the same emulators: reservations of one instance take turns, so only
// calls spread over instances race at the counter.
const others: RunningApi[] = [];
// 30 s, not the stack's 5: these tests assert exact counts, not latency. On a loaded machine 4 of 50 calls
// answered neither 200 nor 403, as a backend call past its deadline does (503).
const BACKEND_TIMEOUT_MS = '30000';
beforeAll(async () => {
  stack = await startStack(__filename, { BACKEND_TIMEOUT_MS });
  const hosts = emulatorHosts();
  for (let i = 0; i < 3; i++) {
    others.push(
      await startFilesApi({
        FIRESTORE_EMULATOR_HOST: hosts.firestore,
        STORAGE_EMULATOR_HOST: hosts.storage,
        GOOGLE_CLOUD_PROJECT: stack.projectId,
        FILES_BUCKET: stack.bucket,
        AUTH_CACHE_TTL_SECONDS: '0',
        BACKEND_TIMEOUT_MS,
      }),
    );
  }
});
afterAll(async () => {
  for (const api of others) await api.close();
  await stack.close();
});

async function usage(org: string) {
  const shards = await stack.db.collection(`organizations/${org}/usage`).get();
  return shards.docs.reduce(
    (sum, d) => ({
      open_sessions: sum.open_sessions + (d.get('open_sessions') ?? 0),
      stored_bytes: sum.stored_bytes + (d.get('stored_bytes') ?? 0),
    }),
    { open_sessions: 0, stored_bytes: 0 },
  );
}

/** How many of each status: a failure shows what the others were. */
function countOf(statuses: number[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const status of statuses) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}

function uploadUrl(org: string, key: string, size: number, base = stack.api.url) {
  return fetch(`${base}/v1/organizations/${org}/files/upload-url`, {
    method: 'POST',
    headers: { 'X-API-Key': key, 'Content-Type': 'application/json' },
    body: JSON.stringify({ filename: 'q.bin', file_size: size, mime_type: 'application/octet-stream' }),
  });
}

describe('per-organization quotas against Firestore', () => {
  it('50 concurrent upload-url calls of one organization all succeed, and the counts are exact', async () => {
    const { apiKey } = await seedMember(stack.db, 'org_busy', 'usr_busy');
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => uploadUrl('org_busy', apiKey, 1000 + i)));
    expect(countOf(answers.map((a) => a.status))).toEqual({ 200: 50 });
    const expectedBytes = Array.from({ length: 50 }, (_, i) => 1000 + i).reduce((a, b) => a + b, 0);
    expect(await usage('org_busy')).toEqual({ open_sessions: 50, stored_bytes: expectedBytes });
  }, 60_000);

  async function open(org: string) {
    const files = await stack.db.collection(`organizations/${org}/files`).where('status', '==', 'uploading').get();
    return { open_sessions: files.size, stored_bytes: files.docs.reduce((sum, d) => sum + Number(d.get('file_size')), 0) };
  }

  it.each([
    ['open sessions', { max_open_sessions: 5 }, 'open_sessions', 1],
    ['stored bytes', { max_stored_bytes: 5000 }, 'stored_bytes', 1],
    ['open sessions, over four instances', { max_open_sessions: 5 }, 'open_sessions', 4],
    ['stored bytes, over four instances', { max_stored_bytes: 5000 }, 'stored_bytes', 4],
  ])(
    '50 concurrent upload-url calls against a limit of 5 %s grant exactly 5, and usage is what is open',
    async (_, limits, quota, instances) => {
      const org = `org_five_${quota}_${instances}`;
      const { apiKey } = await seedMember(stack.db, org, `usr_five_${quota}`);
      await stack.db.doc(`organizations/${org}`).update({ limits });
      const bases = [stack.api.url, ...others.map((api) => api.url)].slice(0, instances);
      const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => uploadUrl(org, apiKey, 1000, bases[i % bases.length])));
      const statuses = answers.map((a) => a.status);
      expect(countOf(statuses)).toEqual({ 200: 5, 403: 45 });
      const refusals = await Promise.all(answers.filter((a) => a.status === 403).map((a) => a.json() as Promise<{ error: unknown }>));
      for (const refusal of refusals) expect(refusal.error).toMatchObject({ code: 'QUOTA_EXCEEDED', details: { quota } });
      expect(await open(org)).toEqual({ open_sessions: 5, stored_bytes: 5000 });
      expect(await usage(org)).toEqual(await open(org));
    },
    60_000,
  );

  it('50 concurrent direct uploads of 1000 B against a limit of 5000 stored bytes store exactly 5, and nothing of the rest', async () => {
    const org = 'org_five_direct';
    const { apiKey } = await seedMember(stack.db, org, 'usr_five_direct');
    await stack.db.doc(`organizations/${org}`).update({ limits: { max_stored_bytes: 5000 } });
    const bases = [stack.api.url, ...others.map((api) => api.url)];
    const body = multipartBody([{ name: 'file', filename: 'q.bin', type: 'application/octet-stream', value: Buffer.alloc(1000, 7) }]);
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        fetch(`${bases[i % bases.length]}/v1/organizations/${org}/files/upload`, {
          method: 'POST',
          headers: { 'X-API-Key': apiKey, 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}` },
          body,
        }),
      ),
    );
    expect(countOf(answers.map((a) => a.status))).toEqual({ 201: 5, 403: 45 });
    const records = await stack.db.collection(`organizations/${org}/files`).get();
    expect(records.docs.map((d) => d.get('status'))).toEqual(Array(5).fill('uploaded'));
    const [objects] = await stack.storage.bucket(stack.bucket).getFiles({ prefix: `files/${org}/` });
    expect(objects).toHaveLength(5);
    expect(await usage(org)).toEqual({ open_sessions: 0, stored_bytes: 5000 });
  }, 60_000);

  it('refuses past the limit with 403 QUOTA_EXCEEDED, and a cancel gives the session back', async () => {
    const { apiKey } = await seedMember(stack.db, 'org_small', 'usr_small');
    await stack.db.doc('organizations/org_small').update({ limits: { max_open_sessions: 2, max_stored_bytes: 10_000 } });
    const first = (await (await uploadUrl('org_small', apiKey, 10)).json()) as { file_id: string };
    expect((await uploadUrl('org_small', apiKey, 10)).status).toBe(200);
    const refused = await uploadUrl('org_small', apiKey, 10);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: unknown }).error).toMatchObject({
      code: 'QUOTA_EXCEEDED',
      details: { quota: 'open_sessions', limit: 2, used: 2 },
    });
    const cancel = await fetch(`${stack.api.url}/v1/organizations/org_small/files/${first.file_id}`, {
      method: 'DELETE',
      headers: { 'X-API-Key': apiKey },
    });
    expect(cancel.status).toBe(204);
    expect(await usage('org_small')).toEqual({ open_sessions: 1, stored_bytes: 10 });
    expect((await uploadUrl('org_small', apiKey, 10)).status).toBe(200);
  });

  it('refuses a file that would pass the stored-bytes limit', async () => {
    const { apiKey } = await seedMember(stack.db, 'org_bytes', 'usr_bytes');
    await stack.db.doc('organizations/org_bytes').update({ limits: { max_stored_bytes: 1000 } });
    expect((await uploadUrl('org_bytes', apiKey, 600)).status).toBe(200);
    const refused = await uploadUrl('org_bytes', apiKey, 600);
    expect(((await refused.json()) as { error: unknown }).error).toMatchObject({
      details: { quota: 'stored_bytes', limit: 1000, used: 600 },
    });
  });
});
