import type { WebhookEndpoint } from '../generated/schema-types';
import type { Webhook } from './webhook-store';

/** The endpoint as the API answers it: never its secret (create and rotate add it themselves). */
export function toWebhookObject(webhook: Webhook): WebhookEndpoint {
  return {
    id: webhook.id,
    object: 'webhook_endpoint',
    url: webhook.url,
    event_types: webhook.event_types,
    description: webhook.description,
    enabled: webhook.enabled,
    disabled_reason: webhook.disabled_reason,
    created_at: webhook.created_at,
    updated_at: webhook.updated_at,
  };
}
