import { randomFillSync } from 'node:crypto';
import { toFileObject, type FileRecord } from './file-record';
import type { FileStatus } from './ports';
import { FILE_EVENT_TYPES } from '../generated/event-types';
import type { FileObject } from '../generated/schema-types';

export { FILE_EVENT_TYPES };

export type FileEventType = (typeof FILE_EVENT_TYPES)[number];

/** How long the feed keeps an event: its document's `expire_at`, which a Firestore TTL policy deletes by. */
export const EVENT_RETENTION_MS = 30 * 24 * 3600 * 1000;

/** The event entering each state; `uploading` is entered only by creation. */
const ENTERED: Record<Exclude<FileStatus, 'uploading'>, FileEventType> = {
  uploaded: 'file.uploaded',
  failed: 'file.failed',
  cancelled: 'file.cancelled',
  expired: 'file.expired',
  deleted: 'file.deleted',
};

/**
 * The one place that says which events a change of a file makes: every
 * adapter writes these, in the same commit as the change. `before` is null for
 * a creation: `file.created`, then the event of the state it was created in
 * when that is not `uploading` (a direct upload is born `uploaded`, a fenced
 * record `failed`), so every file's first event is `file.created`. A change
 * that keeps the status (housekeeping: leftovers, the session URI) makes none;
 * `updated` marks a change of what the client may edit (name, metadata).
 */
export function fileEventTypes(before: FileStatus | null, after: FileStatus, updated = false): FileEventType[] {
  if (before === null) return after === 'uploading' ? ['file.created'] : ['file.created', ENTERED[after]];
  if (before !== after) return after === 'uploading' ? [] : [ENTERED[after]];
  return updated ? ['file.updated'] : [];
}

/** An event as a change writes it, before the commit gives it its time. */
export interface FileEventDraft {
  id: string;
  type: FileEventType;
  organization_id: string;
  file: FileObject;
}

/** The drafts of a change from `before` to `after` (the record as committed), in the order of their types. */
export function fileEventDrafts(before: FileStatus | null, after: FileRecord, updated = false): FileEventDraft[] {
  const file = toFileObject(after);
  return fileEventTypes(before, after.status, updated).map((type) => ({
    id: newEventId(),
    type,
    organization_id: after.organization_id,
    file,
  }));
}

// Ordered by code unit, as Firestore compares strings.
const SORTABLE = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
let lastMs = 0;
let sequence = 0;

/**
 * `evt_` + the time (8 characters) + this process's sequence (6) + 12
 * crypto-random characters, all base62 in code-unit order: ids made later in
 * one process sort after, even within a millisecond or when the clock steps
 * back. The feed breaks ties of commit time by id, so the events of one
 * commit, and of a file's changes made in one millisecond, list in the order
 * they were made (docs/EVENTS.md, "Ordering").
 */
export function newEventId(now = Date.now()): string {
  lastMs = Math.max(now, lastMs);
  sequence = (sequence + 1) % SORTABLE.length ** 6;
  return `evt_${base62(lastMs, 8)}${base62(sequence, 6)}${randomChars(12)}`;
}

// Random bytes come from a pool refilled in one read, as uuid's and Node's randomUUID do: a
// read of the random source per id was 2 % of upload-url's CPU (bench/RESULTS.md, stop 24).
const pool = Buffer.alloc(12 * 128);
let pooled = 0;

/** `count` crypto-random base62 characters; `% 62` leans slightly to the first digits, no matter for an id that is no secret. */
function randomChars(count: number): string {
  if (pooled < count) {
    randomFillSync(pool);
    pooled = pool.length;
  }
  let chars = '';
  for (let i = pool.length - pooled, end = i + count; i < end; i++) chars += SORTABLE[pool[i] % SORTABLE.length];
  pooled -= count;
  return chars;
}

function base62(value: number, width: number): string {
  let digits = '';
  for (let rest = value; digits.length < width; rest = Math.floor(rest / SORTABLE.length))
    digits = SORTABLE[rest % SORTABLE.length] + digits;
  return digits;
}

const EVENT_ID = /^evt_[A-Za-z0-9]{1,64}$/;

/** Whether `value` has the shape of an event id: anything else names no event, and needs no lookup. */
export function isEventId(value: string): boolean {
  return EVENT_ID.test(value);
}
