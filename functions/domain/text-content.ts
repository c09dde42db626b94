/** Declared types that promise text: a file of one must decode as text in its charset. */
export function isTextType(essence: string): boolean {
  return (
    essence.startsWith('text/') ||
    essence.endsWith('+json') ||
    essence.endsWith('+xml') ||
    ['application/json', 'application/xml', 'application/javascript', 'application/ecmascript', 'application/x-ndjson'].includes(essence)
  );
}

// C0 controls no text file holds: all but tab, line feed, vertical tab, form feed, carriage return and escape.
const BINARY_CONTROLS = /[\u0000-\u0008\u000e-\u001a\u001c-\u001f]/;

/**
 * Whether the first bytes of a file decode as text: well-formed UTF-8 (or
 * UTF-16 behind its byte-order mark) unless `charset` names another
 * encoding, and no control character that only binary data holds. A
 * multi-byte character cut off at the end of a head that is not the whole
 * file is not held against it.
 */
export function decodesAsText(head: Buffer, charset: string | undefined, whole: boolean): boolean {
  const encoding = encodingOf(head, charset?.toLowerCase());
  if (encoding === 'single-byte') return !BINARY_CONTROLS.test(head.toString('latin1'));
  try {
    return !BINARY_CONTROLS.test(new TextDecoder(encoding, { fatal: true }).decode(head, { stream: !whole }));
  } catch {
    return false;
  }
}

function encodingOf(head: Buffer, charset: string | undefined): 'utf-8' | 'utf-16le' | 'utf-16be' | 'single-byte' {
  if (charset === 'utf-16be' || (charset === undefined && head[0] === 0xfe && head[1] === 0xff)) return 'utf-16be';
  if (charset === 'utf-16le' || charset === 'utf-16' || (charset === undefined && head[0] === 0xff && head[1] === 0xfe)) {
    return head[0] === 0xfe && head[1] === 0xff ? 'utf-16be' : 'utf-16le';
  }
  if (charset === undefined || charset === 'utf-8' || charset === 'utf8' || charset === 'us-ascii') return 'utf-8';
  return 'single-byte';
}
