import { isPurpose } from '../domain/file-labels';
import { filenameKey } from '../domain/filename-key';
import type { UploadProgress } from '../domain/upload-progress';
import { decodePageToken, encodePageToken, type ListPosition, type ListScope } from '../domain/page-token';
import type { FileRecord } from '../domain/file-record';
import type { FileRecords, FileStatus } from '../domain/ports';
import type { FileList } from '../generated/schema-types';
import { ApiError } from '../errors/api-error';

const LISTABLE: FileStatus[] = ['uploading', 'uploaded', 'failed', 'cancelled', 'expired'];
const MAX_LIMIT = 100;
const MAX_SEARCH_LENGTH = 255;

export interface ListFilesDeps {
  records: FileRecords;
  progress: UploadProgress;
  pageTokenSecret: Buffer;
}

/**
 * GET …/files?page=&limit=&status=&purpose=&search=&page_token=: newest first
 * (a search: by name, then newest first); `total` from a count, not a read of
 * every record. A page number skips that many records in the index;
 * `page_token` (from the previous answer's `next_page_token`) starts where
 * that page ended, so every page costs the same.
 */
export async function listFiles(deps: ListFilesDeps, organizationId: string, url: string): Promise<FileList> {
  const { records, pageTokenSecret } = deps;
  const params = new URL(url, 'http://local').searchParams;
  const limit = wholeNumber(params, 'limit', 50, 1, MAX_LIMIT);
  const status = params.get('status') || undefined;
  if (status !== undefined && !LISTABLE.includes(status as FileStatus)) {
    throw new ApiError(400, 'INVALID_FIELD_VALUE', `status must be one of ${LISTABLE.join(', ')}`, { field: 'status', value: status });
  }
  const purpose = purposeOf(params.get('purpose'));
  const search = searchKey(params.get('search'));
  const scope: ListScope = { organizationId, status, purpose, search, limit };
  const token = params.get('page_token') || undefined;
  const { page, after } =
    token === undefined
      ? { page: wholeNumber(params, 'page', 1, 1, 100_000), after: undefined }
      : cursor(params, token, scope, pageTokenSecret);
  // One record more than the page says whether another page follows, and where it starts.
  const { records: found, total } = await records.list(organizationId, {
    status: status as FileStatus | undefined,
    purpose,
    search,
    offset: after ? 0 : (page - 1) * limit,
    limit: limit + 1,
    after,
  });
  const files = found.slice(0, limit);
  const last = files[files.length - 1];
  const has_more = found.length > limit;
  return {
    files: await deps.progress.fileObjects(files),
    total,
    page,
    limit,
    has_more,
    ...(has_more ? { next_page_token: encodePageToken(pageTokenSecret, scope, positionOf(last, search !== undefined), page + 1) } : {}),
  };
}

/** Where the next page starts: after `last`, by name too in a search. */
function positionOf(last: FileRecord, searching: boolean): ListPosition {
  const at = { createdAt: last.created_at, id: last.id };
  return searching ? { name: last.filename_key ?? '', ...at } : at;
}

/** The `purpose` filter, or undefined for none. */
function purposeOf(raw: string | null): string | undefined {
  if (!raw) return undefined;
  const echoed = raw.slice(0, 100);
  if (isPurpose(raw)) return raw;
  throw new ApiError(400, 'INVALID_FIELD_VALUE', 'purpose must be 1-64 of a-z, 0-9 and _', { field: 'purpose', value: echoed });
}

/** The search's filenameKey(), or undefined for none (an empty `search` is none, like an empty `status`). */
function searchKey(raw: string | null): string | undefined {
  if (!raw) return undefined;
  if (raw.length > MAX_SEARCH_LENGTH || /\p{Cs}/u.test(raw)) {
    throw new ApiError(400, 'INVALID_FIELD_VALUE', `search must be well-formed text of at most ${MAX_SEARCH_LENGTH} characters`, {
      field: 'search',
      value: raw.slice(0, 100).replace(/\p{Cs}/gu, '\ufffd'),
    });
  }
  return filenameKey(raw);
}

function cursor(params: URLSearchParams, token: string, scope: ListScope, secret: Buffer): { page: number; after: ListPosition } {
  if (params.get('page')) {
    throw new ApiError(400, 'INVALID_FIELD_VALUE', 'page_token and page cannot be used together: the token names its page', {
      field: 'page_token',
    });
  }
  const decoded = decodePageToken(secret, token, scope);
  if ('refused' in decoded) {
    const message =
      decoded.refused === 'foreign'
        ? 'page_token belongs to another listing: use it with the organization, filters and limit of the request that answered it'
        : 'page_token must be a next_page_token this API answered, unchanged';
    throw new ApiError(400, 'INVALID_FIELD_VALUE', message, { field: 'page_token' });
  }
  return { page: decoded.page, after: decoded.position };
}

function wholeNumber(params: URLSearchParams, field: string, fallback: number, min: number, max: number): number {
  const raw = params.get(field);
  if (raw === null || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new ApiError(400, 'INVALID_FIELD_VALUE', `${field} must be a whole number from ${min} to ${max}`, {
      field,
      value: raw.slice(0, 50),
    });
  }
  return value;
}
