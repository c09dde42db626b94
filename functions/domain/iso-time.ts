// A busy instance formats the same few seconds over and over (now, and now plus a TTL, per request).
const RECENT = 16;
const recent = new Map<number, string>();

/**
 * ISO-8601 UTC in whole seconds (`2025-12-29T15:30:00Z`), the API's one format
 * for times. One format also keeps stored times comparable as strings.
 */
export function isoSeconds(epochMs: number): string {
  const second = Math.floor(epochMs / 1000);
  let text = recent.get(second);
  if (text === undefined) {
    text = new Date(second * 1000).toISOString().replace('.000Z', 'Z');
    if (recent.size >= RECENT) recent.clear();
    recent.set(second, text);
  }
  return text;
}
