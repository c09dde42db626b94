import { randomBytes } from 'node:crypto';

/** A session URI is a bearer capability: 192 random bits, base64url. */
export function newUploadId(): string {
  return randomBytes(24).toString('base64url');
}

const SHAPE = /^[A-Za-z0-9_-]{32}$/;

/** Only ids of the shape this emulator hands out can name a session (and a file). */
export function isUploadId(value: string | null): value is string {
  return value !== null && SHAPE.test(value);
}
