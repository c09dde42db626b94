import { BackendUnavailable } from '../../domain/backend-unavailable';
import { failedBecause, type FileRecord } from '../../domain/file-record';
import type { UploadUrlDeps } from './deps';

/**
 * Undoes what a refused upload-url made, including what lands after the caller
 * was answered. Never throws; settles when the undo that can be done now is done.
 */

/** Cancels a session that was started, or one that starts after its deadline. */
export function undoSession(deps: UploadUrlDeps, session: PromiseSettledResult<string>): Promise<void> {
  if (session.status === 'fulfilled') return cancel(deps, session.value);
  void lateOf(session.reason)?.then(
    (uri) => (typeof uri === 'string' && uri ? cancel(deps, uri) : undefined),
    () => undefined,
  );
  return Promise.resolve();
}

/**
 * The record write failed: its session is cancelled, and a write that outlived
 * its deadline (it may still commit) is marked failed once it settles, which
 * releases its reservation.
 */
export function undoUnrecorded(deps: UploadUrlDeps, record: FileRecord, writeError: unknown): Promise<void> {
  const failRecord = () =>
    report(
      deps,
      'mark record failed',
      deps.records.transition(record.organization_id, record.id, 'uploading', {
        status: 'failed',
        failure: failedBecause('session could not be recorded'),
        leftovers: true,
      }),
    );
  void lateOf(writeError)?.then(failRecord, failRecord);
  return record.session_uri ? cancel(deps, record.session_uri) : Promise.resolve();
}

const cancel = (deps: UploadUrlDeps, uri: string) => report(deps, 'cancel orphaned session', deps.sessions.cancelSession(uri));

function lateOf(error: unknown): Promise<unknown> | undefined {
  return error instanceof BackendUnavailable ? error.late : undefined;
}

/** Work whose failure is reported, never thrown. */
function report(deps: UploadUrlDeps, what: string, work: Promise<unknown>): Promise<void> {
  return work.then(
    () => undefined,
    (error) => deps.onBackgroundError?.(what, error),
  );
}
