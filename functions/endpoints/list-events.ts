import { FILE_EVENT_TYPES, isEventId, type FileEventType } from '../domain/file-events';
import type { EventFeed } from '../domain/ports';
import type { EventList } from '../generated/schema-types';
import { ApiError } from '../errors/api-error';

const MAX_LIMIT = 100;

/**
 * GET …/events?after=&limit=&type=: the organization's events after the
 * cursor, oldest first (commit time, then id), so a consumer that keeps
 * `next_after` reads each event once and misses none. `type` may be repeated
 * (`type=a&type=b`) or comma-separated (`type=a,b`), or both.
 */
export async function listEvents(feed: EventFeed, organizationId: string, url: string): Promise<EventList> {
  const params = new URL(url, 'http://local').searchParams;
  const limit = wholeNumber(params.get('limit'), 50);
  const types = eventTypes(params.getAll('type'));
  const after = params.get('after') || undefined;
  if (after !== undefined && !isEventId(after)) throw unknownCursor(after);
  const page = await feed.listEvents(organizationId, { after, limit, types });
  if (!page) throw unknownCursor(after as string);
  const last = page.events[page.events.length - 1];
  return { events: page.events, has_more: page.hasMore, next_after: last?.id ?? after ?? null };
}

function unknownCursor(after: string): ApiError {
  return new ApiError(
    400,
    'INVALID_FIELD_VALUE',
    'after must be the id of an event of this organization from the last 30 days: start again without it to read from the oldest kept',
    { field: 'after', value: after.slice(0, 80) },
  );
}

function eventTypes(values: string[]): FileEventType[] | undefined {
  const named = values.flatMap((v) => v.split(',')).filter((v) => v !== '');
  for (const type of named) {
    if (!FILE_EVENT_TYPES.includes(type as FileEventType)) {
      throw new ApiError(400, 'INVALID_FIELD_VALUE', `type must be one of ${FILE_EVENT_TYPES.join(', ')}`, {
        field: 'type',
        value: type.slice(0, 50),
      });
    }
  }
  return named.length ? [...new Set(named as FileEventType[])] : undefined;
}

function wholeNumber(raw: string | null, fallback: number): number {
  if (raw === null || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || value > MAX_LIMIT) {
    throw new ApiError(400, 'INVALID_FIELD_VALUE', `limit must be a whole number from 1 to ${MAX_LIMIT}`, {
      field: 'limit',
      value: raw.slice(0, 50),
    });
  }
  return value;
}
