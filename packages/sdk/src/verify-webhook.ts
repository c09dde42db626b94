import { Webhook } from 'standardwebhooks';
import type { FileEvent } from './generated/contract.js';

/** Headers as Node (`req.headers`), fetch (`Headers`) or a plain object carry them. */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

/**
 * Checks a webhook the Files API sent, per Standard Webhooks: the signature
 * over `webhook-id`, `webhook-timestamp` and the body, made with the
 * endpoint's secret (`whsec_…`), and a timestamp within five minutes. Answers
 * the event; throws when the body was altered, the secret is another one or
 * the delivery is stale. Pass the body exactly as received (a string or the
 * raw bytes), never a re-serialized JSON object. Deduplicate on `webhook-id`:
 * delivery is at least once.
 */
export function verifyWebhook(body: string | Uint8Array, headers: WebhookHeaders, secret: string): FileEvent {
  const pick = (name: string): string => {
    const value =
      typeof Headers !== 'undefined' && headers instanceof Headers ? headers.get(name) : (headers as Record<string, unknown>)[name];
    return Array.isArray(value) ? String(value[0] ?? '') : String(value ?? '');
  };
  const wanted = {
    'webhook-id': pick('webhook-id'),
    'webhook-timestamp': pick('webhook-timestamp'),
    'webhook-signature': pick('webhook-signature'),
  };
  return new Webhook(secret).verify(body, wanted) as FileEvent;
}
