/**
 * ISO-8601 UTC in whole seconds (`2025-12-29T15:30:00Z`), the API's one format
 * for times. One format also keeps stored times comparable as strings.
 */
export function isoSeconds(epochMs: number): string {
  return new Date(Math.floor(epochMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
