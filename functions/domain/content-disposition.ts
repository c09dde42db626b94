/**
 * `attachment` with the original filename, for any name a user may give
 * (RFC 6266, RFC 8187/5987): an ASCII `filename` for old user agents and
 * `filename*` in UTF-8 for the rest. The ASCII form avoids what RFC 6266
 * appendix D says user agents mishandle: backslash escapes, `%` followed by
 * hex digits, and non-ASCII; control characters never reach a header.
 */
export function attachmentDisposition(filename: string): string {
  // A lone surrogate cannot be UTF-8 encoded: it becomes U+FFFD.
  const name = filename.normalize('NFC').replace(LONE_SURROGATE, '\ufffd');
  const fallback = name.replace(/[^\x20-\x7e]|["\\%]/gu, '_');
  return `attachment; filename="${fallback}"; filename*=UTF-8''${extValue(name)}`;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** RFC 8187's value-chars: attr-char as is, every other UTF-8 byte percent-encoded. */
function extValue(value: string): string {
  return encodeURIComponent(value.replace(/[\x00-\x1f\x7f]/g, '_')).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
