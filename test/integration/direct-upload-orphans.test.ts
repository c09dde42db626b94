import { Firestore } from '@google-cloud/firestore';
import { Storage } from '@google-cloud/storage';
import type { IncomingMessage } from 'node:http';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { FirestoreFileRecords } from '../../functions/adapters/firestore-file-records';
import { FirestoreQuotas } from '../../functions/adapters/firestore-quotas';
import { GcsObjects } from '../../functions/adapters/gcs-objects';
import { GcsUploadSessions } from '../../functions/adapters/gcs-upload-sessions';
import { loadConfig } from '../../functions/config';
import { BackendUnavailable } from '../../functions/domain/backend-unavailable';
import { BackgroundWork } from '../../functions/domain/background-work';
import type { FileRecords } from '../../functions/domain/ports';
import { uploadFile, type UploadFileDeps } from '../../functions/endpoints/upload-file/upload-file';
import { sweepExpired } from '../../functions/jobs/sweep';
import { ensureBucket } from '../../scripts/local-stack/storage-bucket';
import { BOUNDARY, multipartBody } from '../support/multipart';
import { emulatorHosts, isolatedNames } from '../support/stack';

// The direct upload's handler on the real adapters (Firestore and the storage emulator), its function made to
// die between the object and the record: a record port whose create never returns, so nothing after it runs.
const { projectId, bucket } = isolatedNames(__filename);
const db = new Firestore({ projectId });
const storage = new Storage({ apiEndpoint: emulatorHosts().storage, projectId });
const records = new FirestoreFileRecords(db, 30_000);
const objects = new GcsObjects(storage.bucket(bucket), 30_000);
const quotas = new FirestoreQuotas(db, { maxOpenSessions: 1000, maxStoredBytes: 2 ** 50 }, 30_000);
const config = loadConfig({ FILES_BUCKET: bucket });
const reported: string[] = [];
const background = new BackgroundWork((what) => reported.push(what));
const EXPIRY_MS = 130_000;

beforeAll(() => ensureBucket(emulatorHosts().storage, projectId, bucket));
afterAll(async () => {
  await background.settled();
  await db.terminate();
});

let orgs = 0;
const freshOrg = () => `org_orphan_${++orgs}`;
const pdf = (size = 20_000) => Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(size - 9)]);

/** A whole form, arrived, as functions-framework hands the request on. */
function form(filename: string, bytes: Buffer): IncomingMessage {
  const body = multipartBody([{ name: 'file', filename, type: 'application/pdf', value: bytes }]);
  const req = Object.assign(Readable.from([body], { objectMode: false }), {
    headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, 'content-length': String(body.length) },
    complete: true,
  });
  return req as unknown as IncomingMessage;
}

function upload(organizationId: string, filename: string, ports: FileRecords = records, key?: { key: string; bytes: Buffer }) {
  const deps: UploadFileDeps = { config, records: ports, objects, quotas, background };
  const req = form(filename, key?.bytes ?? pdf());
  return uploadFile(deps, { organizationId, caller: { principalId: 'usr_1', keyId: 'key_1' }, req, idempotencyKey: key?.key });
}

/** Records whose direct-upload create is held: `reached` once the function is there (its object made), then `release`. */
function heldCreate() {
  let reached!: () => void;
  let release!: () => void;
  const atRecord = new Promise<void>((r) => (reached = r));
  const released = new Promise<void>((r) => (release = r));
  const ports: FileRecords = Object.assign(Object.create(records) as FileRecords, {
    createUploaded: async (...args: Parameters<FileRecords['createUploaded']>) => {
      reached();
      await released;
      return records.createUploaded(...args);
    },
  });
  return { ports, atRecord, release };
}

const sweep = (clockMs: number) =>
  sweepExpired({
    records,
    objects,
    sessions: new GcsUploadSessions(storage.bucket(bucket), 30_000),
    now: () => clockMs,
    batchSize: 100,
    budgetMs: 10_000,
    sessionGraceMs: 60_000,
    directUploadExpiryMs: EXPIRY_MS,
  });

async function leftBehind(organizationId: string) {
  const [listed] = await storage.bucket(bucket).getFiles({ prefix: `files/${organizationId}/` });
  const files = await db.collection(`organizations/${organizationId}/files`).get();
  const markers = await db.collection(`organizations/${organizationId}/direct_uploads`).get();
  return {
    objects: listed.map((o) => o.name).sort(),
    records: files.docs.map((d) => d.get('storage_path') as string).sort(),
    markers: markers.docs.map((d) => d.get('object_name') as string),
  };
}

describe('a direct upload whose function dies between the object and the record', () => {
  it('leaves its marker; the sweep past the expiry removes object and marker, and nothing else; a younger one is left alone', async () => {
    const org = freshOrg();
    const kept = await upload(org, 'kept.pdf');
    expect(kept.status).toBe(201);
    // A normal upload leaves no marker.
    expect(await leftBehind(org)).toEqual({ objects: [kept.file.storage_path], records: [kept.file.storage_path], markers: [] });

    const dying = heldCreate();
    void upload(org, 'lost.pdf', dying.ports);
    await dying.atRecord;
    // The function is dead from here: its create never returns, so nothing after it runs.
    const lost = (await leftBehind(org)).objects.find((name) => name.endsWith('/lost.pdf'));
    expect(lost).toBeDefined();
    expect(await leftBehind(org)).toEqual({
      objects: [kept.file.storage_path, lost].sort(),
      records: [kept.file.storage_path],
      markers: [lost],
    });

    // Within the expiry the upload may still be going: the sweep leaves it.
    const started = Date.now();
    expect(await sweep(started + EXPIRY_MS - 5_000)).toMatchObject({ orphans: 0 });
    expect((await leftBehind(org)).markers).toEqual([lost]);

    expect(await sweep(started + EXPIRY_MS + 5_000)).toMatchObject({ orphans: 1, has_more: false });
    expect(await leftBehind(org)).toEqual({ objects: [kept.file.storage_path], records: [kept.file.storage_path], markers: [] });
    // Idempotent.
    expect(await sweep(started + EXPIRY_MS + 5_000)).toMatchObject({ orphans: 0 });
    expect(reported).toEqual([]);
  });

  it('a record still being committed when the sweep takes the marker fails, and leaves nothing behind', async () => {
    const org = freshOrg();
    const slow = heldCreate();
    const answer = upload(org, 'slow.pdf', slow.ports);
    await slow.atRecord;
    expect(await sweep(Date.now() + EXPIRY_MS + 5_000)).toMatchObject({ orphans: 1 });
    expect((await leftBehind(org)).objects).toEqual([]);
    // The request comes back to life and commits its record: refused, as its marker was taken.
    slow.release();
    await expect(answer).rejects.toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
    expect(await leftBehind(org)).toEqual({ objects: [], records: [], markers: [] });
    expect((await quotas.usage(org)).usage).toEqual({ openSessions: 0, storedBytes: 0 });
  });

  it('a record committed before the sweep looks keeps its object: no marker is left to find', async () => {
    const org = freshOrg();
    const quick = heldCreate();
    const answer = upload(org, 'quick.pdf', quick.ports);
    await quick.atRecord;
    quick.release();
    const { file } = await answer;
    expect(await sweep(Date.now() + EXPIRY_MS + 5_000)).toMatchObject({ orphans: 0 });
    expect(await leftBehind(org)).toEqual({ objects: [file.storage_path], records: [file.storage_path], markers: [] });
  });
});

describe('a record commit past its deadline', () => {
  it('that lands after the 503 keeps its object: the answer removed nothing a record can name', async () => {
    const org = freshOrg();
    let landed!: Promise<unknown>;
    const ports: FileRecords = Object.assign(Object.create(records) as FileRecords, {
      // The caller stops waiting at once, as withDeadline does past the deadline; the commit goes on and lands.
      createUploaded: (...args: Parameters<FileRecords['createUploaded']>) => {
        landed = records.createUploaded(...args);
        return Promise.reject(new BackendUnavailable('firestore', new Error('deadline'), landed));
      },
    });
    await expect(upload(org, 'late.pdf', ports)).rejects.toBeInstanceOf(BackendUnavailable);
    await landed;
    await background.settled();
    const left = await leftBehind(org);
    expect(left.records).toHaveLength(1);
    expect(left).toEqual({ objects: left.records, records: left.records, markers: [] });
    // Nothing for the sweep either: the commit took the marker with it.
    expect(await sweep(Date.now() + EXPIRY_MS + 5_000)).toMatchObject({ orphans: 0 });
    expect((await leftBehind(org)).objects).toEqual(left.records);
  });

  it('that never lands leaves the object to the sweep, which removes it and its marker', async () => {
    const org = freshOrg();
    const ports: FileRecords = Object.assign(Object.create(records) as FileRecords, {
      createUploaded: () => Promise.reject(new BackendUnavailable('firestore', Object.assign(new Error('unknown'), { code: 2 }))),
    });
    await expect(upload(org, 'lost.pdf', ports)).rejects.toBeInstanceOf(BackendUnavailable);
    await background.settled();
    expect((await leftBehind(org)).markers).toHaveLength(1);
    expect(await sweep(Date.now() + EXPIRY_MS + 5_000)).toMatchObject({ orphans: 1 });
    expect(await leftBehind(org)).toEqual({ objects: [], records: [], markers: [] });
  });
});

describe('a refused direct upload leaves no marker', () => {
  it('over quota, after its object was written', async () => {
    const org = freshOrg();
    await db.doc(`organizations/${org}`).set({ limits: { max_open_sessions: 10, max_stored_bytes: 1000 } });
    await expect(upload(org, 'big.pdf')).rejects.toMatchObject({ status: 403, code: 'QUOTA_EXCEEDED' });
    expect(await leftBehind(org)).toEqual({ objects: [], records: [], markers: [] });
  });

  it('a replay under the same Idempotency-Key, or the key reused: its copy of the bytes goes, and its marker', async () => {
    const org = freshOrg();
    const bytes = pdf();
    const first = await upload(org, 'same.pdf', records, { key: 'key-1', bytes });
    expect((await upload(org, 'same.pdf', records, { key: 'key-1', bytes })).file.id).toBe(first.file.id);
    await expect(upload(org, 'same.pdf', records, { key: 'key-1', bytes: pdf() })).rejects.toMatchObject({
      code: 'IDEMPOTENCY_KEY_REUSED',
    });
    expect(await leftBehind(org)).toEqual({ objects: [first.file.storage_path], records: [first.file.storage_path], markers: [] });
  });
});
