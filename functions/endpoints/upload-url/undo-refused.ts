import { BackendUnavailable } from '../../domain/backend-unavailable';
import { failedBecause, type FileRecord } from '../../domain/file-record';
import type { UploadUrlDeps } from './deps';

// Undoes what a refused upload-url made, including what lands after the caller
// was answered. Never throws; each settles when the undo that can be done now is done.

/** The session start failed: one that starts after its deadline is cancelled when it does. */
export function undoLateSession(deps: UploadUrlDeps, error: unknown): void {
  const late = lateOf(error);
  if (!late) return;
  void deps.background.add(
    'cancel late session',
    late.then(
      (uri) => (typeof uri === 'string' && uri ? cancelSession(deps, uri) : undefined),
      () => undefined,
    ),
  );
}

/**
 * The record write failed: its session is cancelled. A write whose outcome is
 * unknown may have been applied, or may yet be (still under way past our
 * deadline, or given up by the client's own deadline while queued at a backend
 * that stopped answering): its record is fenced, once the call has settled.
 */
export function undoUnrecorded(deps: UploadUrlDeps, record: FileRecord, writeError: unknown): Promise<void> {
  if (writeError instanceof BackendUnavailable && (writeError.late || outcomeUnknown(writeError.cause))) {
    const fence = () => fenceLate(deps, record, 'session could not be recorded');
    void deps.background.add('fence late record', writeError.late ? writeError.late.then(fence, fence) : fence());
  }
  return record.session_uri ? cancelSession(deps, record.session_uri) : Promise.resolve();
}

// A backend that was frozen can take a while to answer again.
const FENCE_RETRY_MS = [1000, 2000, 4000, 8000];

/**
 * A write that outlived its deadline can still be applied after the client
 * gave up on it (a frozen backend works through its queue once it thaws), so
 * marking the record failed when the call settles can come before the record
 * exists. The record is written failed first instead, unless it is there
 * already (then it is marked failed): either the late create fails, usage and
 * claim with it, or its record ends failed and its reservation is released.
 */
function fenceLate(deps: UploadUrlDeps, record: FileRecord, reason: string): Promise<void> {
  const failed = { status: 'failed', failure: failedBecause(reason), leftovers: true } as const;
  const attempt = async (retries: number[]): Promise<void> => {
    try {
      const existing = await deps.records.fence({ ...record, ...failed });
      if (existing) await deps.records.transition(record.organization_id, record.id, 'uploading', failed);
    } catch (error) {
      const [wait, ...rest] = retries;
      if (!(error instanceof BackendUnavailable) || wait === undefined) throw error;
      await new Promise((r) => setTimeout(r, wait).unref());
      await attempt(rest);
    }
  };
  return report(deps, 'fence late record', attempt(FENCE_RETRY_MS));
}

/** A session no record holds: cancelled, a failure reported rather than thrown. */
export const cancelSession = (deps: UploadUrlDeps, uri: string) =>
  report(deps, 'cancel orphaned session', deps.sessions.cancelSession(uri));

// gRPC DEADLINE_EXCEEDED and CANCELLED: the client stopped waiting, the backend may have the write;
// UNKNOWN: the backend failed without saying whether it applied it.
// A refused connection or an UNAVAILABLE before sending wrote nothing, and leaves no trace.
const UNKNOWN_OUTCOME = new Set([4, 2, 1]);
const outcomeUnknown = (cause: unknown) => UNKNOWN_OUTCOME.has((cause as { code?: unknown } | undefined)?.code as number);

function lateOf(error: unknown): Promise<unknown> | undefined {
  return error instanceof BackendUnavailable ? error.late : undefined;
}

/** Work whose failure is reported, never thrown, and which a shutdown waits for. */
const report = (deps: UploadUrlDeps, what: string, work: Promise<unknown>): Promise<void> => deps.background.add(what, work);
