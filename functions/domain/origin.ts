/** Longer than any real origin (a 253-character host, a scheme, a port), short enough to bound what storage is sent. */
export const MAX_ORIGIN_LENGTH = 300;

const SHAPE = /^([a-z][a-z0-9+.-]*):\/\/[^/?#@\s\\]+$/i;
const SCHEMES = /^(https?|[a-z]+-extension)$/i;
// DNS labels as browsers send them (punycode for IDNs), allowing `_` as real hosts use it.
const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/i;

/**
 * A browser's `Origin` header as storage should be given it: `scheme://host[:port]`
 * with http, https or a browser-extension scheme, a valid host and port, nothing
 * else, normalized as the WHATWG URL parser does (lower case, no default port).
 * `invalid` for anything else; `none` for no header or the opaque origin `null`,
 * which no CORS answer can name.
 */
export function parseOrigin(header: string | undefined): string | 'none' | 'invalid' {
  if (header === undefined || header === 'null') return 'none';
  if (header.length > MAX_ORIGIN_LENGTH) return 'invalid';
  const shape = SHAPE.exec(header);
  if (!shape || !SCHEMES.test(shape[1])) return 'invalid';
  let url: URL;
  try {
    url = new URL(header);
  } catch {
    return 'invalid';
  }
  if (url.username || url.password || url.search || url.hash || (url.pathname !== '' && url.pathname !== '/')) return 'invalid';
  const host = url.hostname;
  const validHost = host.startsWith('[') || (host.length <= 253 && host.split('.').every((label) => LABEL.test(label)));
  return validHost ? `${url.protocol}//${url.host}` : 'invalid';
}
