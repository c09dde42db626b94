import { randomBytes, randomInt } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function base62(length: number): string {
  let id = '';
  for (let i = 0; i < length; i++) id += ALPHABET[randomInt(ALPHABET.length)];
  return id;
}

/** `we_` + 24 random base62 characters: a webhook endpoint's id. */
export const newWebhookId = (): string => `we_${base62(24)}`;

/** `evt_` + 24 random base62 characters, for the events this module writes itself. */
export const newEventId = (): string => `evt_${base62(24)}`;

/** A Standard Webhooks signing secret: `whsec_` + base64 of 32 random bytes (the library's HMAC key). */
export const newSigningSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

export const WEBHOOK_ID = /^we_[A-Za-z0-9]{1,60}$/;
export const EVENT_ID = /^evt_[A-Za-z0-9_-]{1,60}$/;
