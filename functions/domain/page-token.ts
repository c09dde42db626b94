import { createHash } from 'node:crypto';
import { isFileId } from './file-id';

/** Where a listing stopped: the last file of a page, in the listing's order (created_at, then id, both descending). */
export interface ListPosition {
  createdAt: string;
  id: string;
}

/** What a token belongs to: the organization and the query's filter, page size and order. */
export interface ListScope {
  organizationId: string;
  status?: string;
  limit: number;
}

/** Longer than any token this module writes (about 130 characters); a longer one is refused unread. */
export const MAX_PAGE_TOKEN_LENGTH = 512;
const VERSION = 1;
const ORDER = 'created_at desc, id desc';
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const ISO_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

interface TokenBody {
  v: number;
  /** hash of the scope: a token answers only the listing that issued it */
  s: string;
  /** the page number the token leads to, so the answer can still say `page` */
  p: number;
  c: string;
  i: string;
}

/**
 * The token of the page after `last`. Opaque to clients, and not secret: it
 * only names a position in a listing the path's organization scopes anyway,
 * so a forged one can reach nothing a caller could not list by page number.
 */
export function encodePageToken(scope: ListScope, last: ListPosition, nextPage: number): string {
  const body: TokenBody = { v: VERSION, s: scopeHash(scope), p: nextPage, c: last.createdAt, i: last.id };
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}

/** The position and page a token names, or why it cannot be used for `scope`. */
export function decodePageToken(
  token: string,
  scope: ListScope,
): { position: ListPosition; page: number } | { refused: 'malformed' | 'foreign' } {
  if (token.length > MAX_PAGE_TOKEN_LENGTH || !BASE64URL.test(token)) return { refused: 'malformed' };
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    return { refused: 'malformed' };
  }
  if (!isTokenBody(body)) return { refused: 'malformed' };
  if (body.s !== scopeHash(scope)) return { refused: 'foreign' };
  return { position: { createdAt: body.c, id: body.i }, page: body.p };
}

function isTokenBody(value: unknown): value is TokenBody {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const body = value as Record<string, unknown>;
  return (
    Object.keys(body).length === 5 &&
    body.v === VERSION &&
    typeof body.s === 'string' &&
    Number.isSafeInteger(body.p) &&
    (body.p as number) >= 2 &&
    typeof body.c === 'string' &&
    ISO_SECONDS.test(body.c) &&
    typeof body.i === 'string' &&
    body.i.length <= 64 &&
    isFileId(body.i)
  );
}

function scopeHash(scope: ListScope): string {
  const canonical = JSON.stringify([VERSION, scope.organizationId, scope.status ?? null, scope.limit, ORDER]);
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 22);
}
