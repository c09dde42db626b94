/** A file's purpose and metadata: what a client says about a file, checked the same at every endpoint that takes them. */

const PURPOSE = /^[a-z0-9_]{1,64}$/;
const METADATA_KEY = /^[A-Za-z0-9_.-]{1,40}$/;
export const MAX_METADATA_PAIRS = 16;
export const MAX_METADATA_VALUE_LENGTH = 500;

export function isPurpose(value: unknown): value is string {
  return typeof value === 'string' && PURPOSE.test(value);
}

/** Why `value` is not metadata (up to 16 string pairs, keys 1-40 of [A-Za-z0-9_.-], values at most 500 characters), or undefined. */
export function metadataProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'metadata must be a JSON object of string pairs';
  const entries = Object.entries(value);
  if (entries.length > MAX_METADATA_PAIRS) return `metadata holds at most ${MAX_METADATA_PAIRS} pairs`;
  for (const [key, v] of entries) {
    const badKey = metadataKeyProblem(key);
    if (badKey) return badKey;
    if (typeof v !== 'string') return `metadata.${key} must be a string`;
    if (v.length > MAX_METADATA_VALUE_LENGTH) return `metadata.${key} must be at most ${MAX_METADATA_VALUE_LENGTH} characters`;
  }
  return undefined;
}

/** Why `key` cannot be a metadata key, or undefined. */
export function metadataKeyProblem(key: string): string | undefined {
  // Stored, it would be read back as an object's prototype, not as a pair: refused rather than lost.
  if (key === '__proto__') return 'metadata key __proto__ is reserved';
  if (METADATA_KEY.test(key)) return undefined;
  return `metadata keys must be 1-40 of letters, digits, _ . - (got ${JSON.stringify(key.slice(0, 60))})`;
}
