/**
 * Stored form of an already-validated RFC 6838 media type: type, subtype and
 * parameter names lower-cased (they are case-insensitive); parameter values
 * kept as given (some, like boundaries, are case-sensitive).
 */
export function normalizeMimeType(mimeType: string): string {
  const [essence, ...params] = splitParameters(mimeType);
  const normalized = [essence.trim().toLowerCase()];
  for (const param of params) {
    const eq = param.indexOf('=');
    normalized.push(`${param.slice(0, eq).trim().toLowerCase()}=${param.slice(eq + 1).trim()}`);
  }
  return normalized.join('; ');
}

/** Splits on `;` outside quoted strings. */
function splitParameters(value: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (quoted && ch === '\\') {
      current += ch + (value[++i] ?? '');
      continue;
    }
    if (ch === '"') quoted = !quoted;
    if (ch === ';' && !quoted) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}
