// In a `u` regular expression a string is read by code points, so only a
// surrogate without its partner is one of these.
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * The first top-level field of a parsed JSON object whose name or value holds
 * a string that is not well-formed Unicode (an unpaired surrogate, as JSON's
 * `\ud800` escape allows). No backend stores such text, and it cannot be
 * encoded as UTF-8.
 */
export function malformedTextField(body: Record<string, unknown>): string | undefined {
  for (const [field, value] of Object.entries(body)) {
    if (LONE_SURROGATE.test(field)) return field.replace(/\p{Cs}/gu, '\ufffd');
    if (holdsMalformed(value, 0)) return field;
  }
  return undefined;
}

function holdsMalformed(value: unknown, depth: number): boolean {
  if (typeof value === 'string') return LONE_SURROGATE.test(value);
  if (value === null || typeof value !== 'object' || depth > 32) return false;
  const entries = Array.isArray(value) ? value.map((v) => ['', v] as const) : Object.entries(value);
  return entries.some(([key, v]) => LONE_SURROGATE.test(key) || holdsMalformed(v, depth + 1));
}
