import type { EventList, FileEvent } from './generated/contract.js';

export type FileEventType = FileEvent['type'];

export interface ListEventsOptions {
  /** the events after this one (an event's id, or a page's `next_after`); from the oldest kept without it */
  after?: string;
  /** events per page, 1-100 (default 50) */
  limit?: number;
  /** only events of these types */
  type?: FileEventType | FileEventType[];
  signal?: AbortSignal;
}

export interface FollowEventsOptions extends ListEventsOptions {
  /** the first wait once caught up, in ms (default 1000); doubled while nothing comes, up to maxIntervalMs */
  intervalMs?: number;
  /** the longest wait between polls, in ms (default 30000) */
  maxIntervalMs?: number;
}

/** The query of one page of the feed: several types go comma-separated. */
export function eventsQuery(options: ListEventsOptions): Record<string, string | number | undefined> {
  const types = options.type === undefined ? [] : ([] as FileEventType[]).concat(options.type);
  return { after: options.after, limit: options.limit, type: types.length ? types.join(',') : undefined };
}

/**
 * Every event after `options.after`, oldest first, then each new one as it
 * comes: pages are read back to back while `has_more`, then polled with a
 * wait that starts at `intervalMs` and doubles while nothing comes. Keep the
 * last event's id to resume after a restart. Ends only when `signal` aborts
 * (the pending wait or request rejects with its reason).
 */
export async function* followEvents(
  page: (options: ListEventsOptions) => Promise<EventList>,
  options: FollowEventsOptions = {},
): AsyncGenerator<FileEvent, void, undefined> {
  const first = options.intervalMs ?? 1000;
  const longest = options.maxIntervalMs ?? 30_000;
  let after = options.after;
  let wait = first;
  for (;;) {
    const answer = await page({ ...options, after });
    for (const event of answer.events) yield event;
    after = answer.next_after ?? after;
    if (answer.events.length > 0) wait = first;
    if (answer.has_more) continue;
    await sleep(wait, options.signal);
    if (answer.events.length === 0) wait = Math.min(wait * 2, longest);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', stop);
      resolve();
    }, ms);
    const stop = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', stop, { once: true });
  });
}
