import type { Firestore } from '@google-cloud/firestore';

/** Every collection the functions and files-admin write, by id (collection groups, so nesting does not
 * matter); test/start/watched-collections.test.ts fails when the code names one that is not here. */
export const WATCHED_COLLECTIONS: readonly string[] = [
  'organizations',
  'members',
  'api_keys',
  'files',
  'idempotency_keys',
  'usage',
  'events',
  'webhooks',
  'deliveries',
  'direct_uploads',
];

/** The longest wait from a change to the start of the snapshot that holds it (an export takes 50-80 ms more). */
export const AUTOSAVE_INTERVAL_MS = 2000;

export interface Autosave {
  /** Stops watching and waits for a save in flight; the caller takes the last snapshot itself. */
  stop(): Promise<void>;
}

/**
 * Saves a snapshot within `intervalMs` of any change, and only then: the emulator pushes every write to
 * listeners on the watched collection groups, so an idle stack costs nothing and writes from any client
 * (the functions, files-admin, a test) are seen. The first answer of each listener counts as a change,
 * so the state the stack starts with is saved too.
 */
export function startAutosave(
  db: Firestore,
  save: () => Promise<void>,
  onError: (err: Error) => void,
  intervalMs = AUTOSAVE_INTERVAL_MS,
): Autosave {
  let dirty = false;
  let timer: NodeJS.Timeout | undefined;
  let saving: Promise<void> | undefined;
  let stopped = false;

  const flush = () => {
    timer = undefined;
    dirty = false;
    saving = save()
      .catch(onError)
      .finally(() => {
        saving = undefined;
        if (dirty) schedule();
      });
  };
  const schedule = () => {
    if (stopped || timer || saving) return;
    timer = setTimeout(flush, intervalMs);
  };
  const changed = () => {
    dirty = true;
    schedule();
  };

  const unsubscribes = WATCHED_COLLECTIONS.map((id) =>
    db.collectionGroup(id).onSnapshot(changed, (err) => onError(new Error(`watching ${id} for changes failed: ${err.message}`))),
  );
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      for (const unsubscribe of unsubscribes) unsubscribe();
      await saving;
    },
  };
}
