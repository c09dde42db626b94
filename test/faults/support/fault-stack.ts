import { Firestore } from '@google-cloud/firestore';
import { Storage } from '@google-cloud/storage';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFirestore, type RunningFirestore } from '../../../emulator/firestore';
import { freePort } from '../../../emulator/free-port';
import { startStorageEmulator, type RunningStorageEmulator } from '@files-api/gcs-emulator';
import { sessionGraceMs } from '../../../functions/domain/session-grace';
import { startFilesApi, type RunningApi } from '../../support/files-api-server';
import { seedMember } from '../../support/stack';
import { auditState, openSessionIds, type AuditReport } from './audit';

export const BACKEND_TIMEOUT_MS = 1000;
const ORGANIZATION = 'org_faults';

/**
 * Emulators of a test file's own, on fixed ports so they can be frozen
 * (SIGSTOP/SIGCONT), killed (SIGKILL) and restarted where the function's
 * clients expect them; the function (files and sweep) served by
 * functions-framework on them.
 */
export class FaultStack {
  api!: RunningApi;
  db!: Firestore;
  storage!: Storage;
  apiKey!: string;
  readonly bucket = 'faults';
  readonly organizationId = ORGANIZATION;
  readonly graceMs: number;
  private firestore?: RunningFirestore;
  private storageEmulator?: RunningStorageEmulator;
  private firestorePort = 0;
  private storagePort = 0;
  private readonly frozen = new Set<number>();
  private readonly dir = mkdtempSync(join(tmpdir(), 'faults-'));
  readonly dataDir = join(this.dir, 'storage');
  private seedExport = '';
  private readonly saved = { firestore: process.env.FIRESTORE_EMULATOR_HOST, storage: process.env.STORAGE_EMULATOR_HOST };

  /** `backendTimeoutMs`: the function's BACKEND_TIMEOUT_MS (short, so outages are quick to provoke). */
  constructor(
    private readonly projectId: string,
    readonly backendTimeoutMs = BACKEND_TIMEOUT_MS,
  ) {
    this.graceMs = sessionGraceMs(backendTimeoutMs);
  }

  async start(): Promise<void> {
    [this.firestorePort, this.storagePort] = await Promise.all([freePort(), freePort()]);
    [this.firestore, this.storageEmulator] = await Promise.all([
      startFirestore({ host: '127.0.0.1', port: this.firestorePort }),
      startStorageEmulator({ dataDir: this.dataDir, port: this.storagePort }),
    ]);
    process.env.FIRESTORE_EMULATOR_HOST = this.firestore.host;
    process.env.STORAGE_EMULATOR_HOST = this.storageEmulator.url;
    this.db = new Firestore({ projectId: this.projectId });
    this.storage = new Storage({ apiEndpoint: this.storageEmulator.url, projectId: this.projectId });
    await this.storage.createBucket(this.bucket);
    ({ apiKey: this.apiKey } = await seedMember(this.db, ORGANIZATION, 'usr_faults'));
    // The tenancy as seeded: what a killed Firestore emulator comes back with.
    await this.firestore.exportData({ projectId: this.projectId, directory: this.dir, name: 'seed' });
    this.seedExport = join(this.dir, 'seed', 'seed.overall_export_metadata');
    this.api = await startFilesApi(
      {
        FIRESTORE_EMULATOR_HOST: this.firestore.host,
        STORAGE_EMULATOR_HOST: this.storageEmulator.url,
        GOOGLE_CLOUD_PROJECT: this.projectId,
        FILES_BUCKET: this.bucket,
        // Keys stay cached, so requests get past auth while Firestore is down and reach the writes.
        AUTH_CACHE_TTL_SECONDS: '600',
        BACKEND_TIMEOUT_MS: String(this.backendTimeoutMs),
      },
      ['files', 'sweep'],
    );
  }

  uploadUrl(): string {
    return `${this.api.url}/v1/organizations/${ORGANIZATION}/files/upload-url`;
  }

  filesUrl(): string {
    return `${this.api.url}/v1/organizations/${ORGANIZATION}/files`;
  }

  freeze(which: 'firestore' | 'storage'): void {
    const pid = which === 'firestore' ? -(this.firestore as RunningFirestore).pid : (this.storageEmulator as RunningStorageEmulator).pid;
    process.kill(pid, 'SIGSTOP');
    this.frozen.add(pid);
  }

  thaw(which: 'firestore' | 'storage'): void {
    const pid = which === 'firestore' ? -(this.firestore as RunningFirestore).pid : (this.storageEmulator as RunningStorageEmulator).pid;
    process.kill(pid, 'SIGCONT');
    this.frozen.delete(pid);
  }

  /** SIGKILL: no goodbye, nothing flushed. Returns what the emulator held that a restart forgets. */
  async kill(which: 'firestore' | 'storage'): Promise<void> {
    if (which === 'storage') {
      (this.storageEmulator as RunningStorageEmulator).kill();
      return;
    }
    const firestore = this.firestore as RunningFirestore;
    process.kill(-firestore.pid, 'SIGKILL');
    await firestore.exited;
  }

  async restart(which: 'firestore' | 'storage'): Promise<void> {
    if (which === 'storage') {
      this.storageEmulator = await startStorageEmulator({ dataDir: this.dataDir, port: this.storagePort });
      return;
    }
    this.firestore = await startFirestore({ host: '127.0.0.1', port: this.firestorePort, importData: this.seedExport });
  }

  /** A session while the backends are up; a 503 (a backend slower than the 1 s deadline on a busy machine) is retried, as its Retry-After says. */
  async openSession(bytes: Buffer): Promise<{ upload_url: string; gcs_path: string; file_id: string }> {
    for (let attempt = 0; ; attempt++) {
      const res = await fetch(this.uploadUrl(), {
        method: 'POST',
        headers: { 'X-API-Key': this.apiKey, 'Content-Type': 'application/json' },
        body: JSON.stringify({ filename: 'chunked.bin', file_size: bytes.length, mime_type: 'application/octet-stream' }),
      });
      if (res.status === 200) return (await res.json()) as { upload_url: string; gcs_path: string; file_id: string };
      expect(res.status).toBe(503);
      if (attempt >= 10) throw new Error('upload-url kept answering 503 with the backends up');
      await pause(1000);
    }
  }

  /** Registers an opened session's file; one unanswered after ten deadlines rejects (a hang, not a test timeout). */
  register(session: { gcs_path: string }, bytes: Buffer): Promise<Response> {
    return fetch(this.filesUrl(), {
      method: 'POST',
      headers: { 'X-API-Key': this.apiKey, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        filename: 'chunked.bin',
        gcs_path: session.gcs_path,
        file_size: bytes.length,
        mime_type: 'application/octet-stream',
      }),
      signal: AbortSignal.timeout(10 * this.backendTimeoutMs),
    });
  }

  /** What the storage emulator holds now: sessions and objects a killed Firestore emulator forgets the records of. */
  async storageHoldings(): Promise<{ sessions: Set<string>; objects: Set<string> }> {
    const [objects] = await this.storage.bucket(this.bucket).getFiles({ prefix: 'files/' });
    return { sessions: new Set(openSessionIds(this.dataDir, this.bucket).keys()), objects: new Set(objects.map((o) => o.name)) };
  }

  /** One completed run of the sweeper, as Cloud Scheduler triggers it: a run that meets a backend
   * slower than its 1 s deadline (the machine is shared) answers 503 and the next one finishes the work. */
  async sweep(): Promise<Record<string, unknown>> {
    for (let attempt = 0; ; attempt++) {
      const res = await fetch(this.api.urls.sweep as string, { method: 'POST' });
      if (res.status === 200) return (await res.json()) as Record<string, unknown>;
      expect(res.status).toBe(503);
      if (attempt >= 10) throw new Error('the sweeper never completed a run');
      await pause(this.backendTimeoutMs);
    }
  }

  /** Waits out the grace an `uploading` record without a session gets, sweeps, and audits. */
  async settleAndAudit(forgotten?: {
    sessions?: Set<string>;
    objects?: Set<string>;
  }): Promise<AuditReport & { sweep: Record<string, unknown> }> {
    await new Promise((r) => setTimeout(r, this.graceMs + 1000));
    const sweep = await this.sweep();
    const report = await auditState({
      db: this.db,
      storage: this.storage,
      bucket: this.bucket,
      dataDir: this.dataDir,
      graceMs: this.graceMs,
      forgotten,
    });
    return { ...report, sweep };
  }

  async close(): Promise<void> {
    for (const pid of this.frozen) process.kill(pid, 'SIGCONT');
    await this.api?.close();
    await this.db?.terminate();
    await Promise.all([this.firestore?.stop(), this.storageEmulator?.stop()]);
    rmSync(this.dir, { recursive: true, force: true });
    process.env.FIRESTORE_EMULATOR_HOST = this.saved.firestore;
    process.env.STORAGE_EMULATOR_HOST = this.saved.storage;
  }
}

/**
 * A chunked upload by the official client at its defaults but for the chunk
 * size, to a session URI. When the client gives up (its retries spent while
 * storage is down), the upload is resumed on the same URI, as an application
 * would: the client asks the session what it holds and sends the rest.
 * Resolves to how many times it had to resume.
 */
export async function chunkedUpload(
  storage: Storage,
  bucket: string,
  session: { upload_url: string; gcs_path: string },
  bytes: Buffer,
): Promise<number> {
  const file = storage.bucket(bucket).file(session.gcs_path);
  for (let resumes = 0; ; resumes++) {
    try {
      await new Promise<void>((resolve, reject) => {
        file
          .createWriteStream({ uri: session.upload_url, resumable: true, chunkSize: 256 * 1024 })
          .on('error', reject)
          .on('finish', resolve)
          .end(bytes);
      });
      return resumes;
    } catch (error) {
      if (resumes >= 10) throw error;
      await pause(1000);
    }
  }
}

export const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
