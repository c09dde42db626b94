import { toFileObject } from '../domain/file-record';
import type { FileRecords, FileStatus } from '../domain/ports';
import type { FileList } from '../generated/schema-types';
import { ApiError } from '../errors/api-error';

const LISTABLE: FileStatus[] = ['uploading', 'uploaded', 'failed', 'cancelled', 'expired'];
const MAX_LIMIT = 100;

/** GET …/files?page=&limit=&status=: page-numbered, newest first; `total` from a count, not a read of every record. */
export async function listFiles(records: FileRecords, organizationId: string, url: string): Promise<FileList> {
  const params = new URL(url, 'http://local').searchParams;
  const page = wholeNumber(params, 'page', 1, 1, 100_000);
  const limit = wholeNumber(params, 'limit', 50, 1, MAX_LIMIT);
  const status = params.get('status') || undefined;
  if (status !== undefined && !LISTABLE.includes(status as FileStatus)) {
    throw new ApiError(400, 'INVALID_FIELD_VALUE', `status must be one of ${LISTABLE.join(', ')}`, { field: 'status', value: status });
  }
  const { records: page_, total } = await records.list(organizationId, {
    status: status as FileStatus | undefined,
    offset: (page - 1) * limit,
    limit,
  });
  return { files: page_.map(toFileObject), total, page, limit, has_more: page * limit < total };
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
