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
  onBackgroundError?: (what: string, error: unknown) => void;
}

export interface SweepReport {
  expired: number;
  completed: number;
  has_more: boolean;
}

/**
 * For Cloud Scheduler: `uploading` records past `expires_at` become `expired`,
 * their sessions cancelled. One whose object did arrive (its finalize event
 * lost) is completed instead, never deleted. Idempotent, and safe beside
 * register and finalize: every change is a conditional transition.
 */
export async function sweepExpired(deps: SweepDeps): Promise<SweepReport> {
  const clock = deps.now ?? Date.now;
  const stopAt = clock() + deps.budgetMs;
  const report: SweepReport = { expired: 0, completed: 0, has_more: false };
  for (;;) {
    const due = await deps.records.findExpired(isoSeconds(clock()), deps.batchSize);
    const outcomes = await Promise.all(due.map((record) => expire(deps, record)));
    report.expired += outcomes.filter((o) => o === 'expired').length;
    report.completed += outcomes.filter((o) => o === 'completed').length;
    report.has_more = due.length === deps.batchSize;
    // A batch that changed nothing would come back unchanged: stop rather than spin.
    if (!report.has_more || outcomes.every((o) => o === 'skipped') || clock() >= stopAt) return report;
  }
}

async function expire(deps: SweepDeps, record: FileRecord): Promise<'expired' | 'completed' | 'skipped'> {
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
