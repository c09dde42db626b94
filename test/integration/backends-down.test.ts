import { Firestore } from '@google-cloud/firestore';
import { Storage } from '@google-cloud/storage';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStorageEmulator, type RunningStorageEmulator } from '@files-api/gcs-emulator';
import { startFilesApi, type RunningApi } from '../support/files-api-server';
import { startOutageProxy, type OutageProxy } from '../support/outage-proxy';
import { emulatorHosts, seedMember } from '../support/stack';

// Backends of this file's own, so they can be stopped mid-run: a storage emulator, and the run's Firestore
// emulator behind a proxy that can drop it (this file's project is its own).
const shared = { firestore: process.env.FIRESTORE_EMULATOR_HOST, storage: process.env.STORAGE_EMULATOR_HOST };
const projectId = 'test-backends-down';
const bucket = 'backends-down';
let firestore: OutageProxy;
let firestoreDown = false;
let storage: RunningStorageEmulator;
let dataDir: string;
let db: Firestore;
let api: RunningApi;
let apiKey: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'backends-down-'));
  [firestore, storage] = await Promise.all([startOutageProxy(emulatorHosts().firestore), startStorageEmulator({ dataDir })]);
  // The clients read these before their own options; restored in afterAll.
  process.env.FIRESTORE_EMULATOR_HOST = firestore.host;
  process.env.STORAGE_EMULATOR_HOST = storage.url;
  db = new Firestore({ projectId });
  await new Storage({ apiEndpoint: storage.url, projectId }).createBucket(bucket);
  ({ apiKey } = await seedMember(db, 'org_1', 'usr_1'));
  api = await startApi();
});

/** The function, on this file's emulators as they are now. */
function startApi() {
  return startFilesApi({
    FIRESTORE_EMULATOR_HOST: firestore.host,
    STORAGE_EMULATOR_HOST: storage.url,
    GOOGLE_CLOUD_PROJECT: projectId,
    FILES_BUCKET: bucket,
    // Warm lookups stay cached, so a request can get past auth with Firestore gone.
    AUTH_CACHE_TTL_SECONDS: '600',
    // Long enough for a cold first request on a busy machine; a frozen backend waits it out.
    BACKEND_TIMEOUT_MS: '3000',
  });
}

afterAll(async () => {
  // The outage ends: calls still retrying against the stopped emulator settle, so the clients can close.
  if (firestore && firestoreDown) await firestore.restore();
  await api?.close();
  await db?.terminate();
  await Promise.all([firestore?.close(), storage?.stop()]);
  rmSync(dataDir, { recursive: true, force: true });
  process.env.FIRESTORE_EMULATOR_HOST = shared.firestore;
  process.env.STORAGE_EMULATOR_HOST = shared.storage;
});

const body = JSON.stringify({ filename: 'a.bin', file_size: 1000, mime_type: 'application/octet-stream' });
const post = () =>
  fetch(`${api.url}/v1/organizations/org_1/files/upload-url`, {
    method: 'POST',
    headers: { 'X-API-Key': apiKey, 'Content-Type': 'application/json' },
    body,
  });

function liveSessions(): string[] {
  return readdirSync(join(dataDir, 'sessions'))
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(dataDir, 'sessions', f), 'utf8')).name as string);
}

async function eventually(check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function expect503(response: Response): Promise<void> {
  expect(response.status).toBe(503);
  expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
  const answer = (await response.json()) as { error: unknown };
  expect(answer.error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', type: 'server_error', status: 503 });
  expect(JSON.stringify(answer)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|stack|at /);
}

describe('with a backend gone mid-run', () => {
  it('works while both are up (and warms the auth cache)', async () => {
    expect((await post()).status).toBe(200);
  });

  it('storage gone: 503 with Retry-After, and no record is written (none left uploading)', async () => {
    await storage.stop();
    // No hang: without the deadline the client retries for minutes and this test times out.
    await expect503(await post());
    const files = await db.collection('organizations/org_1/files').get();
    expect(files.docs.map((d) => d.get('status'))).toEqual(['uploading']); // only the one made while storage was up
    storage = await startStorageEmulator({ dataDir });
    // The restarted emulator listens elsewhere: point a fresh function at it.
    await api.close();
    api = await startApi();
    expect((await post()).status).toBe(200);
  });

  it('Firestore gone: 503 with Retry-After, and the session made meanwhile is cancelled', async () => {
    const before = liveSessions().length;
    await firestore.cut();
    firestoreDown = true;
    // No hang: without the deadline the client retries for minutes and this test times out.
    await expect503(await post());
    await eventually(() => liveSessions().length === before);
  });
});
