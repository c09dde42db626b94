import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { isFileId } from './file-id';

/**
 * Where a listing stopped: the last file of a page, in the listing's order
 * (created_at, then id, both descending; a search first by filename_key, ascending).
 */
export interface ListPosition {
  /** the filename_key, in a search */
  name?: string;
  createdAt: string;
  id: string;
}

/** What a token belongs to: the organization and the query's filter, page size and order. */
export interface ListScope {
  organizationId: string;
  status?: string;
  purpose?: string;
  /** the search's filenameKey() */
  search?: string;
  limit: number;
}

/** Longer than any token this module writes (about 160 characters; a search's, which holds a file name, at most about 1400); a longer one is refused unread. */
export const MAX_PAGE_TOKEN_LENGTH = 2048;
/** Beyond any listing: a billion pages of one file each. */
export const MAX_PAGE = 1_000_000_000;
const VERSION = 2;
const ORDER = 'created_at desc, id desc';
const SEARCH_ORDER = 'filename_key asc, created_at desc, id desc';
// The body, then its HMAC (32 bytes: 43 base64url characters), in one alphabet as the contract's pattern says.
const TOKEN = /^([A-Za-z0-9_-]+)([A-Za-z0-9_-]{43})$/;
const ISO_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

interface TokenBody {
  v: number;
  /** hash of the scope: a token answers only the listing that issued it */
  s: string;
  /** the page number the token leads to, so the answer can still say `page` */
  p: number;
  c: string;
  i: string;
  /** the filename_key, in a search */
  n?: string;
}

/**
 * The token of the page after `last`: its body (base64url JSON), then an
 * HMAC-SHA256 of the body under the server's secret. Opaque to clients; not
 * secret, but not theirs to write either: an edited page number, position or
 * scope is refused before any field is believed, so the `page` an answer
 * states is always one this API counted to.
 */
export function encodePageToken(secret: Buffer, scope: ListScope, last: ListPosition, nextPage: number): string {
  const body: TokenBody = {
    v: VERSION,
    s: scopeHash(scope),
    p: nextPage,
    c: last.createdAt,
    i: last.id,
    ...(last.name !== undefined ? { n: last.name } : {}),
  };
  const encoded = Buffer.from(JSON.stringify(body)).toString('base64url');
  return encoded + mac(secret, encoded).toString('base64url');
}

/** The position and page a token names, or why it cannot be used for `scope`. */
export function decodePageToken(
  secret: Buffer,
  token: string,
  scope: ListScope,
): { position: ListPosition; page: number } | { refused: 'malformed' | 'foreign' } {
  const parts = token.length > MAX_PAGE_TOKEN_LENGTH ? null : token.match(TOKEN);
  if (!parts) return { refused: 'malformed' };
  const [, encoded, signature] = parts;
  // Compared as text: base64url's last character carries spare bits, so decoding would take
  // several spellings of one MAC, and a token must have exactly one.
  const given = Buffer.from(signature);
  const expected = Buffer.from(mac(secret, encoded).toString('base64url'));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { refused: 'malformed' };
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    return { refused: 'malformed' };
  }
  if (!isTokenBody(body)) return { refused: 'malformed' };
  if (body.s !== scopeHash(scope)) return { refused: 'foreign' };
  // The scope says whether the listing is a search; its position then names a file name, else none.
  if ((scope.search !== undefined) !== (body.n !== undefined)) return { refused: 'malformed' };
  return { position: { createdAt: body.c, id: body.i, ...(body.n !== undefined ? { name: body.n } : {}) }, page: body.p };
}

function isTokenBody(value: unknown): value is TokenBody {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const body = value as Record<string, unknown>;
  return (
    Object.keys(body).length === (body.n === undefined ? 5 : 6) &&
    (body.n === undefined || (typeof body.n === 'string' && body.n.length <= 1024)) &&
    body.v === VERSION &&
    typeof body.s === 'string' &&
    Number.isSafeInteger(body.p) &&
    (body.p as number) >= 2 &&
    (body.p as number) <= MAX_PAGE &&
    typeof body.c === 'string' &&
    ISO_SECONDS.test(body.c) &&
    !Number.isNaN(Date.parse(body.c)) &&
    typeof body.i === 'string' &&
    body.i.length <= 64 &&
    isFileId(body.i)
  );
}

// The purpose is part of what is signed, so no other HMAC this secret might ever make can pass for a token.
function mac(secret: Buffer, encodedBody: string): Buffer {
  return createHmac('sha256', secret).update(`files-api page token\n${encodedBody}`).digest();
}

function scopeHash(scope: ListScope): string {
  // The filters appear only when given, so a token of an unfiltered listing reads the same as before filters existed.
  const filters = scope.purpose !== undefined || scope.search !== undefined ? [scope.purpose ?? null, scope.search ?? null] : [];
  const order = scope.search !== undefined ? SEARCH_ORDER : ORDER;
  const canonical = JSON.stringify([VERSION, scope.organizationId, scope.status ?? null, scope.limit, order, ...filters]);
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 22);
}
