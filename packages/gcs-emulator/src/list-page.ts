import { badRequest } from './errors';
import type { GlobMatcher } from './glob';

export interface ListQuery {
  prefix: string;
  delimiter: string;
  maxResults: number;
  pageToken?: string;
  /** Only names at or after this one (byte order). */
  startOffset?: string;
  /** Only names before this one. */
  endOffset?: string;
  /** Only names matching this (glob.ts). */
  matchGlob?: GlobMatcher;
}

export interface ListPage {
  names: string[];
  prefixes: string[];
  nextPageToken?: string;
}

/** One page of an object listing over `sorted` names: names under `prefix` (and
 * within the offsets and glob), with names that hold `delimiter` after the prefix
 * rolled up into `prefixes`. Items and prefixes
 * both count toward `maxResults`; the page token is the last entry given out. */
export function listPage(sorted: readonly string[], query: ListQuery): ListPage {
  const after = query.pageToken === undefined ? undefined : decodeToken(query.pageToken);
  const page: ListPage = { names: [], prefixes: [] };
  let last: string | undefined;
  const start = query.startOffset === undefined ? undefined : Buffer.from(query.startOffset);
  const end = query.endOffset === undefined ? undefined : Buffer.from(query.endOffset);
  for (const name of sorted) {
    if (!name.startsWith(query.prefix)) continue;
    if (start && Buffer.compare(Buffer.from(name), start) < 0) continue;
    if (end && Buffer.compare(Buffer.from(name), end) >= 0) continue;
    if (query.matchGlob && !query.matchGlob.test(name)) continue;
    if (
      after !== undefined &&
      (Buffer.compare(Buffer.from(name), Buffer.from(after.key)) <= 0 || (after.rolledUp && name.startsWith(after.key)))
    ) {
      continue;
    }
    const cut = query.delimiter ? name.indexOf(query.delimiter, query.prefix.length) : -1;
    const entry = cut >= 0 ? name.slice(0, cut + query.delimiter.length) : name;
    if (cut >= 0 && entry === last) continue;
    if (page.names.length + page.prefixes.length === query.maxResults) {
      page.nextPageToken = encodeToken({ key: last as string, rolledUp: page.prefixes.at(-1) === last });
      break;
    }
    if (cut >= 0) page.prefixes.push(entry);
    else page.names.push(entry);
    last = entry;
  }
  return page;
}

interface Token {
  key: string;
  rolledUp: boolean;
}

function encodeToken(token: Token): string {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decodeToken(text: string): Token {
  try {
    const token = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Token;
    if (typeof token.key === 'string' && typeof token.rolledUp === 'boolean') return token;
  } catch {
    // Falls through to the refusal below.
  }
  throw badRequest(`Invalid pageToken: ${text}`);
}
