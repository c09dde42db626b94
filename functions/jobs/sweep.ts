import { completeUpload, type CompletionDeps } from '../domain/complete-upload';
import type { FileRecord } from '../domain/file-record';
import { isoSeconds } from '../domain/iso-time';
import type { UploadSessions } from '../domain/ports';

export interface SweepDeps extends CompletionDeps {
  sessions: UploadSessions;
  /** Records read and handled at a time. */
  batchSize: number;
  /** A run takes batches until none are due or this much time has passed: its work is bounded. */
  budgetMs: number;
  /** How long a record may be `uploading` without a session URI before it is abandoned (see session-grace.ts). */
  sessionGraceMs: number;
  onBackgroundError?: (what: string, error: unknown) => void;
}

export interface SweepReport {
  expired: number;
  completed: number;
  /** `uploading` records that never got a session: their upload-url was refused or its instance died. */
  abandoned: number;
  has_more: boolean;
}

type Outcome = 'expired' | 'completed' | 'abandoned' | 'skipped';

/**
 * For Cloud Scheduler: `uploading` records past `expires_at` become `expired`,
 * their sessions cancelled; one whose object did arrive (its finalize event
 * lost) is completed instead, never deleted. `uploading` records that never
 * got a session past a short grace become `failed`, releasing their quota.
 * Idempotent, and safe beside register and finalize: every change is a
 * conditional transition.
 */
export async function sweepExpired(deps: SweepDeps): Promise<SweepReport> {
  const clock = deps.now ?? Date.now;
  const stopAt = clock() + deps.budgetMs;
  const report: SweepReport = { expired: 0, completed: 0, abandoned: 0, has_more: false };
  for (;;) {
    const now = clock();
    const [due, sessionless] = await Promise.all([
      deps.records.findExpired(isoSeconds(now), deps.batchSize),
      deps.records.findSessionless(isoSeconds(now - deps.sessionGraceMs), deps.batchSize),
    ]);
    const outcomes = await Promise.all([...due.map((record) => expire(deps, record)), ...sessionless.map((record) => abandon(deps, record))]);
    for (const outcome of outcomes) if (outcome !== 'skipped') report[outcome]++;
    report.has_more = due.length === deps.batchSize || sessionless.length === deps.batchSize;
    // A batch that changed nothing would come back unchanged: stop rather than spin.
    if (!report.has_more || outcomes.every((o) => o === 'skipped') || clock() >= stopAt) return report;
  }
}

async function expire(deps: SweepDeps, record: FileRecord): Promise<Outcome> {
  const completion = await completeUpload(deps, record);
  if (completion.kind === 'uploaded') return completion.changed ? 'completed' : 'skipped';
  if (completion.kind !== 'incomplete') return 'skipped';
  const result = await deps.records.transition(record.organization_id, record.id, 'uploading', { status: 'expired', session_uri: null });
  if (!result?.changed) return 'skipped';
  if (record.session_uri) {
    await deps.sessions.cancelSession(record.session_uri).catch((error) => deps.onBackgroundError?.('cancel expired session', error));
  }
  return 'expired';
}

/** Nobody holds a session for it (none was ever recorded), so no bytes can come: fail it. */
async function abandon(deps: SweepDeps, record: FileRecord): Promise<Outcome> {
  const result = await deps.records.transition(record.organization_id, record.id, 'uploading', {
    status: 'failed',
    failure_reason: 'no upload session was recorded',
  });
  return result?.changed ? 'abandoned' : 'skipped';
}
