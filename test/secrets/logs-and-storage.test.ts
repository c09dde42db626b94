import { randomBytes } from 'node:crypto';
import type { DocumentReference, Firestore } from '@google-cloud/firestore';
import { createApiKey } from '../../scripts/admin/api-keys';
import { FaultStack, chunkedUpload, pause } from '../faults/support/fault-stack';
import { OutputCapture, linesCarrying } from './support/output-capture';

// A full run of the API on emulators of this file's own (every endpoint, good
// and bad requests, a storage kill and a Firestore freeze, the sweeper), with
// every line written to stdout and stderr captured: no API key, session URI,
// upload id or request body in any of them; and in Firestore, keys only as hashes.
jest.setTimeout(180_000);
const capture = new OutputCapture();
// A deadline a busy machine's emulators meet, so the happy path is not refused; the outages below are provoked.
const stack = new FaultStack('test-secrets', 3000);
const apiKeys: string[] = [];
const sessionUris: string[] = [];
const bodyMarkers: string[] = [];

beforeAll(async () => {
  capture.start();
  await stack.start();
  apiKeys.push(stack.apiKey);
});
afterAll(async () => {
  await stack.close();
  capture.stop();
});

const marker = () => {
  const m = `BODY${randomBytes(8).toString('hex')}`;
  bodyMarkers.push(m);
  return m;
};

async function call(method: string, path: string, init: { key?: string; body?: string; headers?: Record<string, string> } = {}) {
  const res = await fetch(`${stack.filesUrl()}${path}`, {
    method,
    headers: {
      ...(init.key === undefined ? { 'X-API-Key': stack.apiKey } : init.key ? { 'X-API-Key': init.key } : {}),
      'Content-Type': 'application/json',
      ...init.headers,
    },
    body: init.body,
  });
  const text = await res.text();
  const json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  if (typeof json.upload_url === 'string') sessionUris.push(json.upload_url);
  return { status: res.status, json };
}

/** Every document under `ref`'s collections, and theirs. */
async function allDocuments(db: Firestore): Promise<{ path: string; data: unknown }[]> {
  const out: { path: string; data: unknown }[] = [];
  const walk = async (refs: DocumentReference[]) => {
    for (const ref of refs) {
      const snap = await ref.get();
      if (snap.exists) out.push({ path: ref.path, data: snap.data() });
      for (const sub of await ref.listCollections()) await walk(await sub.listDocuments());
    }
  };
  for (const collection of await db.listCollections()) await walk(await collection.listDocuments());
  return out;
}

describe('secrets in a full run', () => {
  it('reach no log line, and keys are stored only as hashes', async () => {
    const upload = (body: unknown, headers: Record<string, string> = {}) =>
      call('POST', '/upload-url', { body: JSON.stringify(body), headers });
    const bytes = randomBytes(700_000);
    // The happy path, with an Idempotency-Key, an Origin and a replay.
    const first = await upload(
      { filename: `${marker()}.bin`, file_size: bytes.length, mime_type: 'application/octet-stream' },
      { 'Idempotency-Key': 'secret-idem-key-1', Origin: 'https://app.example.com' },
    );
    expect(first.status).toBe(200);
    expect(
      (
        await upload(
          {
            filename: first.json.gcs_path ? String(first.json.gcs_path).split('/').pop() : '',
            file_size: bytes.length,
            mime_type: 'application/octet-stream',
          },
          { 'Idempotency-Key': 'secret-idem-key-1', Origin: 'https://app.example.com' },
        )
      ).status,
    ).toBe(200);
    const session = first.json as { upload_url: string; gcs_path: string; file_id: string };
    await chunkedUpload(stack.storage, stack.bucket, session, bytes);
    const registerBody = {
      filename: session.gcs_path.split('/').pop(),
      gcs_path: session.gcs_path,
      file_size: bytes.length,
      mime_type: 'application/octet-stream',
    };
    expect((await call('POST', '', { body: JSON.stringify(registerBody) })).status).toBe(201);
    expect((await call('GET', `/${session.file_id}`)).status).toBe(200);
    expect((await call('GET', '?limit=5')).status).toBe(200);
    const second = await upload({ filename: `${marker()}.bin`, file_size: 10, mime_type: 'text/plain' });
    expect((await call('DELETE', `/${(second.json as { file_id: string }).file_id}`)).status).toBe(204);
    expect((await call('DELETE', `/${session.file_id}`)).status).toBe(204);

    // Bad requests whose bodies and keys must not be echoed into logs.
    const unknownKey = `ak_${randomBytes(32).toString('base64url')}`;
    const malformedKey = `ak_${randomBytes(6).toString('hex')}`;
    apiKeys.push(unknownKey, malformedKey);
    expect((await call('GET', '', { key: unknownKey })).status).toBe(401);
    expect((await call('GET', '', { key: malformedKey })).status).toBe(401);
    expect((await call('GET', `?key=${stack.apiKey}`, { key: '' })).status).toBe(401);
    expect((await call('POST', '/upload-url', { body: `{"filename":"${marker()}",` })).status).toBe(400);
    expect(
      (await call('POST', '/upload-url', { body: JSON.stringify({ filename: marker(), file_size: -1, mime_type: 'x' }) })).status,
    ).toBe(400);
    expect(
      (
        await call('POST', '/upload-url', {
          body: JSON.stringify({ filename: 'a.bin', file_size: 1, mime_type: 'text/plain', [marker()]: marker() }),
        })
      ).status,
    ).toBe(400);
    expect((await call('POST', '/upload-url', { body: JSON.stringify({ filename: marker() + 'x'.repeat(70_000) }) })).status).toBe(413);
    expect((await call('POST', '', { body: JSON.stringify({ ...registerBody, filename: marker() }) })).status).toBeGreaterThanOrEqual(400);
    const paused = await createApiKey(stack.db, 'usr_faults');
    apiKeys.push(paused.api_key);

    // Outages: errors and compensation are logged; secrets must not ride along.
    await stack.kill('storage');
    expect((await upload({ filename: `${marker()}.bin`, file_size: 10, mime_type: 'text/plain' })).status).toBe(503);
    await stack.restart('storage');
    const live = await upload({ filename: `${marker()}.bin`, file_size: 10, mime_type: 'text/plain' });
    expect(live.status).toBe(200);
    stack.freeze('firestore');
    expect((await upload({ filename: `${marker()}.bin`, file_size: 10, mime_type: 'text/plain' })).status).toBe(503);
    expect((await call('DELETE', `/${(live.json as { file_id: string }).file_id}`)).status).toBe(503);
    await pause(stack.backendTimeoutMs);
    stack.thaw('firestore');
    await stack.settleAndAudit();

    // Every upload id the storage emulator ever issued in this run.
    const uploadIds = sessionUris.map((u) => new URL(u).searchParams.get('upload_id') as string);
    const found = linesCarrying(capture.lines, {
      'API key': apiKeys,
      'session URI': sessionUris,
      'upload id': uploadIds,
      'request body': bodyMarkers,
      'idempotency key': ['secret-idem-key-1'],
    });
    console.log(
      `secrets: ${capture.lines.length} log lines checked against ${apiKeys.length} keys, ${sessionUris.length} session URIs, ${bodyMarkers.length} bodies; ${found.length} carry one`,
    );
    expect(found).toEqual([]);
    expect(capture.lines.length).toBeGreaterThan(20);

    const docs = await allDocuments(stack.db);
    const keyDocs = docs.filter((d) => d.path.startsWith('api_keys/'));
    expect(keyDocs.length).toBe(2);
    for (const d of keyDocs) expect(d.path).toMatch(/^api_keys\/[0-9a-f]{64}$/);
    const stored = JSON.stringify(docs);
    for (const key of apiKeys) expect(stored.includes(key)).toBe(false);
    expect(stored).not.toMatch(/ak_[A-Za-z0-9_-]{20,}/);
  });
});
