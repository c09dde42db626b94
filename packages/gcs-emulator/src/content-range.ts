import { badRequest } from './errors';

/** What a PUT on a session URI says about its body (`Content-Range` of the resumable protocol). */
export type ContentRange =
  /** `bytes *\/T` or `bytes *\/*`: a status query (also an empty range such as the client's `bytes 0--1/0`). */
  | { kind: 'query'; total: number | undefined }
  /** `bytes a-b/T`, `bytes a-b/*`, and the open-ended `bytes a-*\/T`, `bytes a-*\/*` (last undefined). */
  | { kind: 'data'; first: number; last: number | undefined; total: number | undefined };

const FORM = /^bytes\s+(?:\*|(\d{1,16})-(-1|\d{1,16}|\*))\/(\d{1,16}|\*)$/i;

export function parseContentRange(header: string): ContentRange {
  const match = FORM.exec(header.trim());
  if (!match) throw badRequest(`Failed to parse Content-Range header: ${JSON.stringify(header)}`);
  const [, firstText, lastText, totalText] = match;
  const total = totalText === '*' ? undefined : Number(totalText);
  if (firstText === undefined) return { kind: 'query', total };
  const first = Number(firstText);
  if (lastText === '*') return { kind: 'data', first, last: undefined, total };
  const last = Number(lastText);
  if (last === first - 1) return { kind: 'query', total };
  if (last < first) throw badRequest(`Content-Range ${header} ends before it starts`);
  if (total !== undefined && last >= total) throw badRequest(`Content-Range ${header} runs past the total size`);
  return { kind: 'data', first, last, total };
}
