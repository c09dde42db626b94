import type { FileStatus } from './ports';

/** What an organization holds against its quotas: open sessions, and bytes reserved or stored. */
export interface Usage {
  openSessions: number;
  storedBytes: number;
}

export interface Limits {
  maxOpenSessions: number;
  maxStoredBytes: number;
}

/**
 * How a record's move from one state to another changes its organization's
 * usage. An upload reserves a session and its bytes; completing it frees the
 * session; failing, cancelling or expiring it frees both; deleting an uploaded
 * file frees its bytes. Every write of a state carries its delta, so the counts
 * cannot drift from the records. Only the first (a reservation) adds: every
 * other delta releases, which is why releases need no compare-and-set.
 */
export function usageDelta(from: FileStatus | null, to: FileStatus, fileSize: number): Usage {
  if (from === null && to === 'uploading') return { openSessions: 1, storedBytes: fileSize };
  // A direct upload: its record is first written complete.
  if (from === null && to === 'uploaded') return { openSessions: 0, storedBytes: fileSize };
  if (from === 'uploading' && to === 'uploaded') return { openSessions: -1, storedBytes: 0 };
  if (from === 'uploading') return { openSessions: -1, storedBytes: -fileSize };
  if (from === 'uploaded' && to === 'deleted') return { openSessions: 0, storedBytes: -fileSize };
  return { openSessions: 0, storedBytes: 0 };
}

/** Which quota an upload would break, its limit and what is in use. */
export interface QuotaExceeded {
  quota: 'open_sessions' | 'stored_bytes';
  limit: number;
  used: number;
}

/** The quota adding `added` (a session and its bytes, or a direct upload's bytes alone) would break, if any. */
export function exceededQuota(usage: Usage, limits: Limits, added: Usage): QuotaExceeded | undefined {
  if (added.openSessions > 0 && usage.openSessions + added.openSessions > limits.maxOpenSessions)
    return { quota: 'open_sessions', limit: limits.maxOpenSessions, used: usage.openSessions };
  if (usage.storedBytes + added.storedBytes > limits.maxStoredBytes)
    return { quota: 'stored_bytes', limit: limits.maxStoredBytes, used: usage.storedBytes };
  return undefined;
}
