import { createHash, hash, randomBytes } from 'node:crypto';

/** `ak_` + 43 base64url characters: 256 random bits. */
const KEY_PATTERN = /^ak_[A-Za-z0-9_-]{43}$/;

export type ApiKeyStatus = 'active' | 'paused' | 'deactivated';

/** `api_keys/{sha256 hex of the key}`: the key itself is never stored. */
export interface ApiKeyDoc {
  key_id: string;
  principal_id: string;
  status: ApiKeyStatus;
  expires_at: string | null;
  created_at: string;
  last4: string;
}

export function newApiKey(): string {
  return `ak_${randomBytes(32).toString('base64url')}`;
}

export function isWellFormedApiKey(key: string): boolean {
  return KEY_PATTERN.test(key);
}

/** The document id of a key: its SHA-256, hex. */
export function apiKeyHash(key: string): string {
  return sha256Hex(key);
}

// Every request hashes its key: crypto.hash (Node 20.12+) is one native call,
// where createHash builds a Hash object for it.
const sha256Hex: (text: string) => string =
  typeof hash === 'function' ? (text) => hash('sha256', text, 'hex') : (text) => createHash('sha256').update(text, 'utf8').digest('hex');

export function newKeyId(): string {
  return `key_${randomBytes(12).toString('base64url')}`;
}
