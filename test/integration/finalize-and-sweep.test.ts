import { Storage } from '@google-cloud/storage';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../emulator/free-port';
import { startStorageEmulator, type RunningStorageEmulator } from '@files-api/gcs-emulator';
import { startFilesApi, type RunningApi } from '../support/files-api-server';
import { emulatorHosts, isolatedNames, seedMember } from '../support/stack';
import { Firestore } from '@google-cloud/firestore';
import { validateErrorEnvelope } from '../../functions/generated/validators';

// A storage emulator of this file's own, delivering finalize events to the
// function as Eventarc does on Google Cloud.
const { projectId, bucket } = isolatedNames(__filename);
const shared = process.env.STORAGE_EMULATOR_HOST;
let storage: RunningStorageEmulator;
let dataDir: string;
let api: RunningApi;
let db: Firestore;
let apiKey: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'finalize-'));
  const storagePort = await freePort();
  const storageUrl = `http://127.0.0.1:${storagePort}`;
  api = await startFilesApi(
    {
      FIRESTORE_EMULATOR_HOST: emulatorHosts().firestore,
      STORAGE_EMULATOR_HOST: storageUrl,
      GOOGLE_CLOUD_PROJECT: projectId,
      FILES_BUCKET: bucket,
      AUTH_CACHE_TTL_SECONDS: '0',
    },
    ['files', 'finalize', 'sweep'],
  );
  storage = await startStorageEmulator({ dataDir, port: storagePort, finalizeUrl: api.urls.finalize });
  process.env.STORAGE_EMULATOR_HOST = storage.url;
  await new Storage({ projectId }).createBucket(bucket);
  db = new Firestore({ projectId });
  ({ apiKey } = await seedMember(db, 'org_1', 'usr_1'));
});

afterAll(async () => {
  await api?.close();
  await db?.terminate();
  await storage?.stop();
  rmSync(dataDir, { recursive: true, force: true });
  process.env.STORAGE_EMULATOR_HOST = shared;
});

async function uploadUrl(filename: string, size: number, mime: string) {
  const response = await fetch(`${api.url}/v1/organizations/org_1/files/upload-url`, {
    method: 'POST',
    headers: { 'X-API-Key': apiKey, 'Content-Type': 'application/json' },
    body: JSON.stringify({ filename, file_size: size, mime_type: mime }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { upload_url: string; gcs_path: string; file_id: string };
}

const fileDoc = (fileId: string) => db.doc(`organizations/org_1/files/${fileId}`);

async function statusBecomes(fileId: string, status: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await fileDoc(fileId).get()).get('status') === status) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  expect((await fileDoc(fileId).get()).get('status')).toBe(status);
}

describe('the finalize event', () => {
  it('makes an upload nobody registers `uploaded`, and register then answers 200', async () => {
    const bytes = Buffer.from('%PDF-1.7\n' + 'x'.repeat(1000));
    const session = await uploadUrl('unregistered.pdf', bytes.length, 'application/pdf');
    expect((await fetch(session.upload_url, { method: 'PUT', body: bytes })).status).toBeLessThan(300);
    await statusBecomes(session.file_id, 'uploaded');
    const register = await fetch(`${api.url}/v1/organizations/org_1/files`, {
      method: 'POST',
      headers: { 'X-API-Key': apiKey, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        filename: 'unregistered.pdf',
        gcs_path: session.gcs_path,
        file_size: bytes.length,
        mime_type: 'application/pdf',
      }),
    });
    expect(register.status).toBe(200);
  });

  it.each(['漢字.mp4', 'clip 😀 50% "final".mp4'])(
    'completes %s too: its name reaches the event percent-encoded, as CloudEvents headers must be',
    async (filename) => {
      const bytes = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypmp42'), Buffer.alloc(1000)]);
      const session = await uploadUrl(filename, bytes.length, 'video/mp4');
      expect(session.gcs_path).toContain(filename.slice(0, 2));
      expect((await fetch(session.upload_url, { method: 'PUT', body: bytes })).status).toBeLessThan(300);
      await statusBecomes(session.file_id, 'uploaded');
    },
  );

  it('fails a mislabelled upload nobody registers, and removes its bytes', async () => {
    const png = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(100)]);
    const session = await uploadUrl('photo.pdf', png.length, 'application/pdf');
    await fetch(session.upload_url, { method: 'PUT', body: png });
    await statusBecomes(session.file_id, 'failed');
    // The record turns `failed` before the object is deleted (so it can never turn `uploaded`):
    // wait for the deletion that follows, bounded.
    const file = new Storage({ projectId }).bucket(bucket).file(session.gcs_path);
    let exists = true;
    for (let i = 0; i < 100 && exists; i++) {
      [exists] = await file.exists();
      if (exists) await new Promise((r) => setTimeout(r, 50));
    }
    expect(exists).toBe(false);
  });
});

describe('the finalize function, given bad events', () => {
  const post = (headers: Record<string, string>, body: string) => fetch(`${api.urls.finalize}/`, { method: 'POST', headers, body });
  const binary = (extra: Record<string, string> = {}) => ({
    'content-type': 'application/json',
    'ce-specversion': '1.0',
    'ce-type': 'google.cloud.storage.object.v1.finalized',
    'ce-source': `//storage.googleapis.com/projects/_/buckets/${bucket}`,
    'ce-id': 'evt-1',
    ...extra,
  });

  it('answers 400 in the envelope at once, with nothing of its internals, and no stack trace on stderr', async () => {
    const stderr = jest.spyOn(process.stderr, 'write');
    try {
      const cases: [Record<string, string>, string, string][] = [
        [binary(), '{"name":123}', 'bucket'],
        [binary(), `{"bucket":"${bucket}","name":123}`, 'name'],
        [binary(), '{"bucket":"b","name":"files/x"}x', 'INVALID_JSON'],
        [binary(), '[1,2]', 'data'],
        [binary({ 'ce-type': 'google.cloud.storage.object.v1.deleted' }), `{"bucket":"${bucket}","name":"a"}`, 'type'],
        [binary(), `{"bucket":"${bucket}","name":"a","generation":{"x":1}}`, 'generation'],
        [binary(), `{"bucket":"${bucket}","name":"a\\ud800"}`, 'name'],
        [{ 'content-type': 'application/json' }, `{"bucket":"${bucket}","name":"a"}`, 'INVALID_JSON'],
        [{ 'content-type': 'text/plain' }, 'hello', 'INVALID_JSON'],
      ];
      for (const [headers, body, expected] of cases) {
        const response = await post(headers, body);
        const text = await response.text();
        expect([response.status, body]).toEqual([400, body]);
        const answer = JSON.parse(text) as { error: { code: string; details: { field?: string } } };
        expect(validateErrorEnvelope(answer)).toBe(true);
        expect(expected === 'INVALID_JSON' ? answer.error.code : answer.error.details.field).toBe(expected);
        expect(text).not.toMatch(/is not a function|TypeError|at .*\.js|node_modules/);
      }
      expect((await fetch(`${api.urls.finalize}/`)).status).toBe(405);
      expect(stderr.mock.calls.map((c) => String(c[0])).join('')).not.toMatch(/TypeError|\n\s+at /);
    } finally {
      stderr.mockRestore();
    }
  });

  it('ignores object names no organization can have, without a backend call', async () => {
    for (const name of ['files/../file_abc/a.bin', 'files/__x__/file_abc/a.bin', 'files/./file_abc/a', 'files/org_1/file_abc/../../x']) {
      const response = await post(binary(), JSON.stringify({ bucket, name }));
      expect([name, response.status]).toEqual([name, 204]);
    }
  });

  it('takes the structured mode too', async () => {
    const response = await post(
      { 'content-type': 'application/cloudevents+json' },
      JSON.stringify({
        specversion: '1.0',
        type: 'google.cloud.storage.object.v1.finalized',
        source: 'x',
        id: 'evt-2',
        data: { bucket: 'another-bucket', name: 'files/a' },
      }),
    );
    expect(response.status).toBe(204);
  });
});

describe('DELETE right after upload-url', () => {
  it('never leaves the session open', async () => {
    for (let i = 0; i < 20; i++) {
      const session = await uploadUrl(`quick-${i}.bin`, 10, 'application/octet-stream');
      const deleted = await fetch(`${api.url}/v1/organizations/org_1/files/${session.file_id}`, {
        method: 'DELETE',
        headers: { 'X-API-Key': apiKey },
      });
      expect(deleted.status).toBe(204);
      expect((await fetch(session.upload_url, { method: 'PUT', body: Buffer.alloc(10) })).status).toBe(404);
    }
  });
});

describe('the sweeper', () => {
  const sweep = async () => {
    const response = await fetch(`${api.urls.sweep}/`, { method: 'POST' });
    expect(response.status).toBe(200);
    return (await response.json()) as { expired: number; completed: number; abandoned: number; cleaned: number; has_more: boolean };
  };

  it('expires sessions past expires_at and cancels them, and is idempotent', async () => {
    const session = await uploadUrl('abandoned.bin', 10, 'application/octet-stream');
    const fresh = await uploadUrl('fresh.bin', 10, 'application/octet-stream');
    for (let i = 0; i < 50 && !(await fileDoc(session.file_id).get()).get('session_uri'); i++) await new Promise((r) => setTimeout(r, 20));
    await fileDoc(session.file_id).update({ expires_at: '2000-01-01T00:00:00Z' });
    expect(await sweep()).toMatchObject({ expired: 1, completed: 0, has_more: false });
    expect((await fileDoc(session.file_id).get()).get('status')).toBe('expired');
    expect((await fileDoc(fresh.file_id).get()).get('status')).toBe('uploading');
    expect((await fetch(session.upload_url, { method: 'PUT', body: Buffer.alloc(10) })).status).toBe(404);
    expect(await sweep()).toEqual({ expired: 0, completed: 0, abandoned: 0, cleaned: 0, orphans: 0, has_more: false });
  });

  it('cancels the session of a record that no longer expects it (a cancel that failed), once', async () => {
    const session = await uploadUrl('left-over.bin', 10, 'application/octet-stream');
    // As a DELETE leaves it when storage refused its cancel.
    await fileDoc(session.file_id).update({ status: 'cancelled', leftovers: true });
    expect(await sweep()).toMatchObject({ cleaned: 1 });
    expect((await fetch(session.upload_url, { method: 'PUT', body: Buffer.alloc(10) })).status).toBe(404);
    expect((await fileDoc(session.file_id).get()).data()).toMatchObject({ leftovers: false, session_uri: null });
    expect(await sweep()).toMatchObject({ cleaned: 0 });
  });

  it('answers other methods in the envelope', async () => {
    const response = await fetch(`${api.urls.sweep}/`);
    expect(response.status).toBe(405);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('METHOD_NOT_ALLOWED');
  });
});

describe('the events finalize and the sweep commit', () => {
  /** The `relay` state of the file's event of this type, once it is `sent` or 10 s have passed (a bound, not a timing). */
  async function relayOnceSent(fileId: string, type: string): Promise<string | undefined> {
    const query = db.collection('organizations/org_1/events').where('data.file.id', '==', fileId).where('type', '==', type);
    let relay: string | undefined;
    for (let i = 0; i < 200 && relay !== 'sent'; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 50));
      relay = (await query.get()).docs[0]?.get('relay') as string | undefined;
    }
    return relay;
  }

  /** An upload-url whose own relay (after its answer) is over: what is relayed from now on, something else relays. */
  async function quietSession(filename: string, bytes: Buffer, mime: string) {
    const session = await uploadUrl(filename, bytes.length, mime);
    expect(await relayOnceSent(session.file_id, 'file.created')).toBe('sent');
    return session;
  }

  it('are relayed right after finalize, without the catch-up or another call', async () => {
    const bytes = Buffer.from('%PDF-1.7\n' + 'y'.repeat(500));
    const session = await quietSession('relayed.pdf', bytes, 'application/pdf');
    expect((await fetch(session.upload_url, { method: 'PUT', body: bytes })).status).toBeLessThan(300);
    await statusBecomes(session.file_id, 'uploaded');
    expect(await relayOnceSent(session.file_id, 'file.uploaded')).toBe('sent');
  });

  it('are relayed right after the sweep, without the catch-up or another call', async () => {
    const session = await quietSession('left-to-expire.bin', Buffer.alloc(10), 'application/octet-stream');
    for (let i = 0; i < 50 && !(await fileDoc(session.file_id).get()).get('session_uri'); i++) await new Promise((r) => setTimeout(r, 20));
    await fileDoc(session.file_id).update({ expires_at: '2000-01-01T00:00:00Z' });
    const swept = await fetch(`${api.urls.sweep}/`, { method: 'POST' });
    expect(((await swept.json()) as { expired: number }).expired).toBe(1);
    expect(await relayOnceSent(session.file_id, 'file.expired')).toBe('sent');
  });
});
