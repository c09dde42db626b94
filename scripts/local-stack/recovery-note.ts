import { AUTOSAVE_INTERVAL_MS } from './firestore-autosave';
import type { Snapshot } from './firestore-snapshot';
import type { RunRecord } from './run-record';

function age(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
}

/** What the start after an unclean stop tells the developer: that it was unclean, and what came back. */
export function recoveryNote(unclean: RunRecord, imported: Snapshot | undefined, now = new Date()): string {
  const head = `The last stop was unclean: the stack started at ${unclean.started_at} (pid ${unclean.pid}) did not get to stop cleanly.`;
  if (!imported) return `${head}\nNo Firestore snapshot had been saved, so Firestore starts empty; stored objects are kept.`;
  const when = imported.savedAt
    ? `saved at ${imported.savedAt.toISOString()}, ${age(now.getTime() - imported.savedAt.getTime())} ago`
    : 'of unknown age';
  return (
    `${head}\nFirestore data recovered from the last snapshot (${when}); ` +
    `changes made less than ~${AUTOSAVE_INTERVAL_MS / 1000} s before that stop may be missing. Stored objects are kept.`
  );
}
