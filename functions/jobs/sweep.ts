import { completeUpload, type CompletionDeps } from '../domain/complete-upload';
import { failedBecause, type FileRecord } from '../domain/file-record';
import { isoSeconds } from '../domain/iso-time';
import type { DirectUploadMarker, UploadSessions } from '../domain/ports';

export interface SweepDeps extends CompletionDeps {
  sessions: UploadSessions;
  /** Records read and handled at a time. */
  batchSize: number;
  /** A run takes batches until none are due or this much time has passed: its work is bounded. */
  budgetMs: number;
  /** How long a record may be `uploading` without a session URI before it is abandoned (see session-grace.ts). */
  sessionGraceMs: number;
  /** How old a direct upload's marker is before its upload is taken for dead (see direct-upload-expiry.ts). */
  directUploadExpiryMs: number;
  onBackgroundError?: (what: string, error: unknown) => void;
}

export interface SweepReport {
  expired: number;
  completed: number;
  /** `uploading` records that never got a session: their upload-url was refused or its instance died. */
  abandoned: number;
  /** Sessions cancelled and objects removed for records that no longer expect them. */
  cleaned: number;
  /** Direct uploads whose function died between the object and the record: object and marker removed. */
  orphans: number;
  has_more: boolean;
}

type Outcome = 'expired' | 'completed' | 'abandoned' | 'cleaned' | 'orphans' | 'skipped';

/**
 * For Cloud Scheduler: `uploading` records past `expires_at` become `expired`,
 * their sessions cancelled; one whose object did arrive (its finalize event
 * lost) is completed instead, never deleted. `uploading` records that never
 * got a session past a short grace become `failed`, releasing their quota.
 * Records that are no longer live but may still have a session or an object
 * (`leftovers`: a cancel or a deletion that failed, an instance that died) get
 * both removed. So are the objects of direct uploads whose function died before
 * their record (their markers, past the longest a request lives). Idempotent,
 * and safe beside register, finalize and direct uploads: every change is a
 * conditional write.
 */
export async function sweepExpired(deps: SweepDeps): Promise<SweepReport> {
  const clock = deps.now ?? Date.now;
  const stopAt = clock() + deps.budgetMs;
  const report: SweepReport = { expired: 0, completed: 0, abandoned: 0, cleaned: 0, orphans: 0, has_more: false };
  for (;;) {
    const now = clock();
    const [due, sessionless, leftovers, orphans] = await Promise.all([
      deps.records.findExpired(isoSeconds(now), deps.batchSize),
      deps.records.findSessionless(isoSeconds(now - deps.sessionGraceMs), deps.batchSize),
      deps.records.findLeftovers(deps.batchSize),
      deps.records.findStaleDirectUploads(isoSeconds(now - deps.directUploadExpiryMs), deps.batchSize),
    ]);
    const outcomes = await Promise.all([
      ...due.map((record) => expire(deps, record)),
      ...sessionless.map((record) => abandon(deps, record)),
      ...leftovers.map((record) => cleanUp(deps, record)),
      ...orphans.map((marker) => removeOrphan(deps, marker)),
    ]);
    for (const outcome of outcomes) if (outcome !== 'skipped') report[outcome]++;
    report.has_more = [due, sessionless, leftovers, orphans].some((batch) => batch.length === deps.batchSize);
    // What this batch expired or abandoned is cleaned up by the next one, in this run.
    const more = report.has_more || outcomes.some((o) => o === 'expired' || o === 'abandoned');
    // A batch that changed nothing would come back unchanged: stop rather than spin.
    if (!more || outcomes.every((o) => o === 'skipped') || clock() >= stopAt) return report;
  }
}

async function expire(deps: SweepDeps, record: FileRecord): Promise<Outcome> {
  const completion = await completeUpload(deps, record);
  if (completion.kind === 'uploaded') return completion.changed ? 'completed' : 'skipped';
  if (completion.kind !== 'incomplete') return 'skipped';
  const result = await deps.records.transition(record.organization_id, record.id, 'uploading', { status: 'expired', leftovers: true });
  if (!result?.changed) return 'skipped';
  // Its session and any partial object go with the next batch's clean-up.
  return 'expired';
}

/** Nobody holds a session for it (none was ever recorded), so no bytes can come: fail it. */
async function abandon(deps: SweepDeps, record: FileRecord): Promise<Outcome> {
  const result = await deps.records.transition(record.organization_id, record.id, 'uploading', {
    status: 'failed',
    failure: failedBecause('no upload session was recorded'),
    leftovers: true,
  });
  return result?.changed ? 'abandoned' : 'skipped';
}

/**
 * The session cancelled and the object removed, then the mark cleared, on the
 * condition that the record is still in the state this saw. Either step may
 * fail (the mark stays, the next run retries); both are safe to repeat.
 */
async function cleanUp(deps: SweepDeps, record: FileRecord): Promise<Outcome> {
  try {
    await Promise.all([
      record.session_uri ? deps.sessions.cancelSession(record.session_uri) : undefined,
      deps.objects.remove(record.storage_path),
    ]);
  } catch (error) {
    deps.onBackgroundError?.('remove leftovers', error);
    return 'skipped';
  }
  const result = await deps.records.transition(record.organization_id, record.id, record.status, { leftovers: false, session_uri: null });
  return result?.changed ? 'cleaned' : 'skipped';
}

/**
 * A direct upload's marker past the longest a request lives: its function died
 * after the object may have been made and before the record was. The marker is
 * claimed first (its version changes, so a record still being committed for it
 * fails: no record is ever left without its object), then the object removed
 * (no generation: the name holds a fresh file id and is written only if
 * absent), then the marker. A failed step leaves the marker for the next run.
 */
async function removeOrphan(deps: SweepDeps, marker: DirectUploadMarker): Promise<Outcome> {
  try {
    const claimed = await deps.records.claimDirectUpload(marker);
    // Its record was committed since the query, or another run took it.
    if (!claimed) return 'skipped';
    await deps.objects.remove(claimed.objectName);
    await deps.records.removeDirectUpload(claimed.organizationId, claimed.fileId);
    return 'orphans';
  } catch (error) {
    deps.onBackgroundError?.('remove orphaned direct upload', error);
    return 'skipped';
  }
}
