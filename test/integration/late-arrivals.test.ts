import { Firestore } from '@google-cloud/firestore';
import { Storage } from '@google-cloud/storage';
import { existsSync, mkdtempSync, readdirSync, rmSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStorageEmulator, type RunningStorageEmulator } from '@files-api/gcs-emulator';
import { createFirestore } from '../../functions/adapters/firestore-client';
import { FirestoreFileRecords } from '../../functions/adapters/firestore-file-records';
import type { FileRecord } from '../../functions/domain/file-record';
import { startFilesApi, type RunningApi } from '../support/files-api-server';
import { startOutageProxy, type OutageProxy } from '../support/outage-proxy';
import { emulatorHosts, seedMember } from '../support/stack';

// Backends of this file's own, so they can be frozen and thawed mid-request, as a stalled backend behaves:
// the call is neither answered nor refused, and lands once the backend resumes. A storage emulator
// (frozen with SIGSTOP, thawed with SIGCONT), and the run's Firestore emulator behind a proxy that
// stalls it (this file's project is its own).
const shared = { firestore: process.env.FIRESTORE_EMULATOR_HOST, storage: process.env.STORAGE_EMULATOR_HOST };
const projectId = 'test-late-arrivals';
const bucket = 'late-arrivals';
let firestore: OutageProxy;
let storage: RunningStorageEmulator;
let dataDir: string;
let db: Firestore;
let api: RunningApi;
let apiKey: string;
const frozen = new Set<number>();

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'late-arrivals-'));
  [firestore, storage] = await Promise.all([startOutageProxy(emulatorHosts().firestore), startStorageEmulator({ dataDir })]);
  process.env.FIRESTORE_EMULATOR_HOST = firestore.host;
  process.env.STORAGE_EMULATOR_HOST = storage.url;
  db = new Firestore({ projectId });
  await new Storage({ apiEndpoint: storage.url, projectId }).createBucket(bucket);
  ({ apiKey } = await seedMember(db, 'org_1', 'usr_1'));
  api = await startFilesApi(
    {
      FIRESTORE_EMULATOR_HOST: firestore.host,
      STORAGE_EMULATOR_HOST: storage.url,
      GOOGLE_CLOUD_PROJECT: projectId,
      FILES_BUCKET: bucket,
      // Warm lookups stay cached, so a request gets past auth with Firestore frozen.
      AUTH_CACHE_TTL_SECONDS: '600',
      // Long enough for a cold first request on a busy machine; a frozen backend waits it out.
      BACKEND_TIMEOUT_MS: '3000',
    },
    ['files', 'sweep'],
  );
});

afterAll(async () => {
  for (const pid of frozen) thaw(pid);
  firestore?.thaw();
  await api?.close();
  await db?.terminate();
  await Promise.all([firestore?.close(), storage?.stop()]);
  rmSync(dataDir, { recursive: true, force: true });
  process.env.FIRESTORE_EMULATOR_HOST = shared.firestore;
  process.env.STORAGE_EMULATOR_HOST = shared.storage;
});

function freeze(pid: number): void {
  process.kill(pid, 'SIGSTOP');
  frozen.add(pid);
}

function thaw(pid: number): void {
  process.kill(pid, 'SIGCONT');
  frozen.delete(pid);
}

const post = (size = 1000) =>
  fetch(`${api.url}/v1/organizations/org_1/files/upload-url`, {
    method: 'POST',
    headers: { 'X-API-Key': apiKey, 'Content-Type': 'application/json' },
    body: JSON.stringify({ filename: 'a.bin', file_size: size, mime_type: 'application/octet-stream' }),
  });

function liveSessions(): number {
  return readdirSync(join(dataDir, 'sessions')).filter((f) => f.endsWith('.json')).length;
}

async function records(): Promise<FileRecord[]> {
  return (await db.collection('organizations/org_1/files').get()).docs.map((d) => d.data() as FileRecord);
}

/** The organization's usage counters, and what its records say they must be. */
async function usageAndTruth() {
  const shards = await db.collection('organizations/org_1/usage').get();
  const counted = { open: 0, bytes: 0 };
  for (const s of shards.docs) {
    counted.open += Number(s.get('open_sessions') ?? 0);
    counted.bytes += Number(s.get('stored_bytes') ?? 0);
  }
  const all = await records();
  const truth = {
    open: all.filter((r) => r.status === 'uploading').length,
    bytes: all.filter((r) => r.status === 'uploading' || r.status === 'uploaded').reduce((n, r) => n + r.file_size, 0),
  };
  return { counted, truth };
}

async function eventually(check: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('what lands after the caller got 503 is undone', () => {
  it('works while both are up (and warms the auth cache)', async () => {
    expect((await post()).status).toBe(200);
  });

  it('Firestore frozen: the record written late is failed, its session cancelled, its quota released', async () => {
    const sessionsBefore = liveSessions();
    firestore.freeze();
    const response = await post(777);
    expect(response.status).toBe(503);
    firestore.thaw();
    // The write may land after the thaw, counted like any upload until the function
    // marks it failed: wait for the late record to be no longer live, counters agreeing.
    await eventually(async () => {
      const { counted, truth } = await usageAndTruth();
      return truth.open === 1 && counted.open === truth.open && counted.bytes === truth.bytes;
    });
    const { counted } = await usageAndTruth();
    expect(counted).toEqual({ open: 1, bytes: 1000 });
    for (const late of (await records()).filter((r) => r.file_size === 777)) expect(late.status).toBe('failed');
    await eventually(() => liveSessions() === sessionsBefore);
  });

  it('storage frozen: no record is written, and the session created late is cancelled', async () => {
    freeze(storage.pid);
    const response = await post(555);
    expect(response.status).toBe(503);
    // Watch the emulator's session files: the late session must appear, then go.
    const created = new Set<string>();
    const watcher = watch(join(dataDir, 'sessions'), (_event, name) => {
      if (name?.endsWith('.json') && existsSync(join(dataDir, 'sessions', name))) created.add(name);
    });
    try {
      thaw(storage.pid);
      await eventually(() => created.size > 0);
      await eventually(() => [...created].every((name) => !existsSync(join(dataDir, 'sessions', name))));
    } finally {
      watcher.close();
    }
    expect((await records()).some((r) => r.file_size === 555)).toBe(false);
    const { counted, truth } = await usageAndTruth();
    expect(counted).toEqual(truth);
  });

  it('Firestore frozen: a write of the client the function uses fails once at the deadline, it is not retried for minutes', async () => {
    const client = createFirestore(projectId, 1500);
    try {
      await client.doc('organizations/org_1').get(); // the channel is up before the freeze
      firestore.freeze();
      // Without the bound a commit waits 60 s an attempt and is retried for up
      // to 600 s: both outlive this test's timeout.
      const batch = client.batch();
      batch.create(client.doc('organizations/org_1/probe/b'), { at: 1 });
      const outcomes = await Promise.allSettled([client.doc('organizations/org_1/probe/p').set({ at: 1 }), batch.commit()]);
      expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
      for (const o of outcomes) expect((o as PromiseRejectedResult).reason).toMatchObject({ code: 4 }); // DEADLINE_EXCEEDED
    } finally {
      firestore.thaw();
      await client.terminate();
    }
  }, 30_000);

  it('the sweeper fails an `uploading` record that never got a session, past the grace, releasing its quota', async () => {
    const adapter = new FirestoreFileRecords(db, 5000);
    const old = new Date(Date.now() - 3600_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const stranded: FileRecord = {
      ...(await records())[0],
      id: 'file_stranded0000000000',
      status: 'uploading',
      file_size: 333,
      session_uri: null,
      created_at: old,
      expires_at: new Date(Date.now() + 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z'),
    };
    stranded.storage_path = `files/org_1/${stranded.id}/a.bin`;
    await adapter.createUploading(stranded);
    const fresh: FileRecord = {
      ...stranded,
      id: 'file_fresh000000000000',
      storage_path: 'files/org_1/file_fresh000000000000/a.bin',
      created_at: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    };
    await adapter.createUploading(fresh);
    const sweep = await fetch(`${api.urls.sweep}/`, { method: 'POST' });
    expect(sweep.status).toBe(200);
    expect(await sweep.json()).toMatchObject({ abandoned: 1 });
    expect((await db.doc(`organizations/org_1/files/${stranded.id}`).get()).get('status')).toBe('failed');
    // One still inside its grace may yet get its session.
    expect((await db.doc(`organizations/org_1/files/${fresh.id}`).get()).get('status')).toBe('uploading');
    const { counted, truth } = await usageAndTruth();
    expect(counted).toEqual(truth);
  });
});
