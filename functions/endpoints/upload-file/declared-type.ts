/** The most of a body kept to find the file part's headers: the form's text fields come first (a valid form's
 * two, purpose and at most 64 KiB of metadata, fit well within it). */
export const HEADERS_SCAN_BYTES = 192 * 1024;

/**
 * The Content-Type header the first part named `file` declared, read from the
 * start of the raw body: busboy reads a malformed one (`;;;`, `text/`) as no
 * type at all, i.e. text/plain. undefined when that part declared none (or its
 * headers are not within `prefix`, which only a form refused for its fields can do).
 */
export function declaredFileType(prefix: Buffer, requestContentType: string | undefined): string | undefined {
  const boundary = /;\s*boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))/i.exec(requestContentType ?? '');
  const delimiter = `--${boundary?.[1] ?? boundary?.[2] ?? ''}`;
  if (delimiter === '--') return undefined;
  // Headers are Latin-1 on the wire; the bytes of the parts before the file's are fields, never scanned as headers.
  const text = prefix.toString('latin1');
  let at = text.indexOf(delimiter);
  while (at >= 0 && !text.startsWith('--', at + delimiter.length)) {
    const start = text.indexOf('\n', at + delimiter.length) + 1;
    // A part with no headers at all ends them at once.
    const end = text.startsWith('\r\n', start) ? start - 2 : text.indexOf('\r\n\r\n', start);
    if (start === 0 || end < 0) return undefined;
    const headers = text.slice(start, end).split('\r\n');
    const name = /;\s*name\s*=\s*(?:"([^"]*)"|([^;\s]*))/i.exec(headerValue(headers, 'content-disposition') ?? '');
    if ((name?.[1] ?? name?.[2]) === 'file') return headerValue(headers, 'content-type');
    at = text.indexOf(`\r\n${delimiter}`, end);
    if (at >= 0) at += 2;
  }
  return undefined;
}

function headerValue(lines: string[], name: string): string | undefined {
  const line = lines.find((l) => l.slice(0, l.indexOf(':')).trim().toLowerCase() === name);
  return line?.slice(line.indexOf(':') + 1).trim();
}
