/**
 * `attachment` with the original filename, for any name a user may give
 * (RFC 6266, RFC 8187/5987): an ASCII `filename` for old user agents and
 * `filename*` in UTF-8 for the rest. The ASCII form avoids what RFC 6266
 * appendix D says user agents mishandle: backslash escapes, `%` followed by
 * hex digits, and non-ASCII; control characters never reach a header.
 * Format characters (bidi overrides such as U+202E, zero-width ones, U+FEFF)
 * and line/paragraph separators become `_` in both forms, as in object names:
 * `invoice\u202efdp.exe` would otherwise be saved as what reads `invoiceexe.pdf`.
 */
export function attachmentDisposition(filename: string): string {
  // A lone surrogate cannot be UTF-8 encoded: it becomes U+FFFD.
  const name = filename.normalize('NFC').replace(LONE_SURROGATE, '\ufffd').replace(INVISIBLE, '_');
  const fallback = name.replace(/[^\x20-\x7e]|["\\%]/gu, '_');
  return `attachment; filename="${fallback}"; filename*=UTF-8''${extValue(name)}`;
}

const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** RFC 8187's value-chars: attr-char as is, every other UTF-8 byte percent-encoded. */
function extValue(value: string): string {
  return encodeURIComponent(value).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
