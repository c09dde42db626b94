import type { Firestore } from '@google-cloud/firestore';
import type { Storage } from '@google-cloud/storage';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FileRecord } from '../../../functions/domain/file-record';

export interface AuditInput {
  db: Firestore;
  storage: Storage;
  bucket: string;
  /** the storage emulator's --data directory: its open sessions are read from there */
  dataDir: string;
  /** how long a record may be `uploading` without a session (sessionGraceMs of the function's deadline) */
  graceMs: number;
  /** Sessions and objects a restarted Firestore emulator forgot the records of (it keeps nothing in
   * memory across a kill): not the API's state to account for. */
  forgotten?: { sessions?: Set<string>; objects?: Set<string> };
}

export interface AuditReport {
  problems: string[];
  records: number;
  byStatus: Record<string, number>;
  openSessions: number;
  objects: number;
}

const LIVE_WITH_OBJECT = new Set(['uploading', 'uploaded']);

/** Upload ids of the storage emulator's sessions that are neither finalized nor cancelled. */
export function openSessionIds(dataDir: string, bucket: string): Map<string, string> {
  const open = new Map<string, string>();
  for (const file of readdirSync(join(dataDir, 'sessions'))) {
    if (!file.endsWith('.json')) continue;
    try {
      const s = JSON.parse(readFileSync(join(dataDir, 'sessions', file), 'utf8')) as {
        uploadId: string;
        bucket: string;
        name: string;
        finalized?: unknown;
      };
      if (s.bucket === bucket && !s.finalized) open.set(s.uploadId, s.name);
    } catch {
      // A session removed (or being written) while listing: not open.
    }
  }
  return open;
}

function uploadIdOf(uri: string | null | undefined): string | undefined {
  if (!uri) return undefined;
  return new URL(uri).searchParams.get('upload_id') ?? undefined;
}

/**
 * Half-made state after a fault, recovery and a sweep: an `uploading` record
 * without a session past the grace, an object no live record expects, an open
 * session no `uploading` record holds, or usage counters that are not the sum
 * of the records. Empty `problems`: every write the API began was finished or
 * undone.
 */
export async function auditState(input: AuditInput): Promise<AuditReport> {
  const { db, storage, bucket, dataDir, graceMs } = input;
  const problems: string[] = [];
  const records = (await db.collectionGroup('files').get()).docs.map((d) => d.data() as FileRecord);
  const byStatus: Record<string, number> = {};
  for (const r of records) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
  const now = Date.now();

  const heldSessions = new Map<string, FileRecord>();
  for (const r of records) {
    const id = uploadIdOf(r.session_uri);
    if (r.status === 'uploading' && id) heldSessions.set(id, r);
    if (r.status === 'uploading' && !r.session_uri && now - Date.parse(r.created_at) > graceMs) {
      problems.push(
        `record ${r.id} is uploading without a session, ${Math.round((now - Date.parse(r.created_at)) / 1000)} s after it was made`,
      );
    }
    if (r.status !== 'uploading' && r.session_uri) problems.push(`record ${r.id} is ${r.status} but still names a session`);
  }

  const open = openSessionIds(dataDir, bucket);
  for (const [id, name] of open) {
    if (input.forgotten?.sessions?.has(id)) continue;
    if (!heldSessions.has(id)) problems.push(`open session for ${name} that no uploading record holds`);
  }

  const byPath = new Map(records.map((r) => [r.storage_path, r]));
  const [objects] = await storage.bucket(bucket).getFiles({ prefix: 'files/' });
  for (const object of objects) {
    if (input.forgotten?.objects?.has(object.name)) continue;
    const r = byPath.get(object.name);
    if (!r || !LIVE_WITH_OBJECT.has(r.status)) problems.push(`object ${object.name} with ${r ? `a ${r.status}` : 'no'} record`);
  }

  const organizations = new Set(records.map((r) => r.organization_id));
  for (const org of (await db.collection('organizations').get()).docs) organizations.add(org.id);
  for (const org of organizations) {
    const mine = records.filter((r) => r.organization_id === org);
    const want = {
      open_sessions: mine.filter((r) => r.status === 'uploading').length,
      stored_bytes: mine.filter((r) => r.status === 'uploading' || r.status === 'uploaded').reduce((sum, r) => sum + r.file_size, 0),
    };
    const have = { open_sessions: 0, stored_bytes: 0 };
    for (const shard of (await db.collection(`organizations/${org}/usage`).get()).docs) {
      have.open_sessions += Number(shard.get('open_sessions') ?? 0);
      have.stored_bytes += Number(shard.get('stored_bytes') ?? 0);
    }
    if (have.open_sessions !== want.open_sessions || have.stored_bytes !== want.stored_bytes) {
      problems.push(`${org} usage ${JSON.stringify(have)}, its records add up to ${JSON.stringify(want)}`);
    }
  }
  return { problems, records: records.length, byStatus, openSessions: open.size, objects: objects.length };
}
