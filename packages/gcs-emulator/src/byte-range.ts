import { GcsError } from './errors';

/** Inclusive byte span of a download. */
export interface ByteSpan {
  start: number;
  end: number;
}

const FORM = /^bytes=(\d*)-(\d*)$/i;

/** The span a download's `Range` header asks for; undefined means the whole object
 * (no header, or a form storage ignores, such as several ranges). */
export function parseByteRange(header: string | undefined, size: number): ByteSpan | undefined {
  if (!header) return undefined;
  const match = FORM.exec(header.trim());
  if (!match) return undefined;
  const [, startText, endText] = match;
  if (startText === '' && endText === '') return undefined;
  let span: ByteSpan;
  if (startText === '') {
    const suffix = Number(endText);
    span = { start: Math.max(0, size - suffix), end: size - 1 };
    if (suffix === 0) throw unsatisfiable(header, size);
  } else {
    const start = Number(startText);
    const end = endText === '' ? size - 1 : Math.min(Number(endText), size - 1);
    if (endText !== '' && Number(endText) < start) return undefined;
    span = { start, end };
  }
  if (span.start >= size) throw unsatisfiable(header, size);
  return span;
}

function unsatisfiable(header: string, size: number): GcsError {
  return new GcsError(
    416,
    'requestedRangeNotSatisfiable',
    `The requested range ${header} cannot be satisfied for an object of ${size} bytes`,
    {
      'Content-Range': `bytes */${size}`,
    },
  );
}
