import { toFileObject } from '../domain/file-record';
import { decodePageToken, encodePageToken, type ListPosition, type ListScope } from '../domain/page-token';
import type { FileRecords, FileStatus } from '../domain/ports';
import type { FileList } from '../generated/schema-types';
import { ApiError } from '../errors/api-error';

const LISTABLE: FileStatus[] = ['uploading', 'uploaded', 'failed', 'cancelled', 'expired'];
const MAX_LIMIT = 100;

/**
 * GET …/files?page=&limit=&status=&page_token=: newest first; `total` from a
 * count, not a read of every record. A page number skips that many records in
 * the index; `page_token` (from the previous answer's `next_page_token`) starts
 * where that page ended, so every page costs the same.
 */
export async function listFiles(records: FileRecords, pageTokenSecret: Buffer, organizationId: string, url: string): Promise<FileList> {
  const params = new URL(url, 'http://local').searchParams;
  const limit = wholeNumber(params, 'limit', 50, 1, MAX_LIMIT);
  const status = params.get('status') || undefined;
  if (status !== undefined && !LISTABLE.includes(status as FileStatus)) {
    throw new ApiError(400, 'INVALID_FIELD_VALUE', `status must be one of ${LISTABLE.join(', ')}`, { field: 'status', value: status });
  }
  const scope: ListScope = { organizationId, status, limit };
  const token = params.get('page_token') || undefined;
  const { page, after } =
    token === undefined
      ? { page: wholeNumber(params, 'page', 1, 1, 100_000), after: undefined }
      : cursor(params, token, scope, pageTokenSecret);
  // One record more than the page says whether another page follows, and where it starts.
  const { records: found, total } = await records.list(organizationId, {
    status: status as FileStatus | undefined,
    offset: after ? 0 : (page - 1) * limit,
    limit: limit + 1,
    after,
  });
  const files = found.slice(0, limit);
  const last = files[files.length - 1];
  const has_more = found.length > limit;
  return {
    files: files.map(toFileObject),
    total,
    page,
    limit,
    has_more,
    ...(has_more
      ? { next_page_token: encodePageToken(pageTokenSecret, scope, { createdAt: last.created_at, id: last.id }, page + 1) }
      : {}),
  };
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
        ? 'page_token belongs to another listing: use it with the organization, status and limit of the request that answered it'
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
