import { BackendUnavailable } from '../../domain/backend-unavailable';
import { failedBecause, type FileRecord } from '../../domain/file-record';
import type { UploadUrlDeps } from './deps';

/**
 * Undoes whatever a refused upload-url made, including what lands after the
 * caller was answered: a record write or a session start that outlived its
 * deadline is undone once it settles. The record is marked failed (which
 * releases its quota); the session is cancelled. Never throws; settles when
 * the undo that can be done now is done.
 */
export function undoRefused(
  deps: UploadUrlDeps,
  record: FileRecord,
  written: PromiseSettledResult<unknown>,
  session: PromiseSettledResult<string>,
  reason: string,
): Promise<void> {
  const failRecord = () =>
    report(
      deps,
      'mark record failed',
      deps.records.transition(record.organization_id, record.id, 'uploading', {
        status: 'failed',
        failure: failedBecause(reason),
        leftovers: true,
      }),
    );
  const cancel = (uri: unknown) =>
    typeof uri === 'string' && uri ? report(deps, 'cancel orphaned session', deps.sessions.cancelSession(uri)) : undefined;

  const now: Promise<unknown>[] = [];
  if (written.status === 'fulfilled') now.push(failRecord());
  // A write that timed out may still commit: try to fail it whichever way it ends.
  else if (lateOf(written.reason)) void lateOf(written.reason)?.then(failRecord, failRecord);
  if (session.status === 'fulfilled') now.push(cancel(session.value) ?? Promise.resolve());
  else void lateOf(session.reason)?.then(cancel, () => undefined);
  return Promise.all(now).then(() => undefined);
}

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
