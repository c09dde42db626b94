import { FirestoreWebhooks } from '../../../functions/adapters/firestore-webhooks';
import { toWebhookObject } from '../../../functions/webhooks/webhook-object';
import { checkOrganizationId } from '../validate';
import type { Command } from './command';
import { table } from './table';

export const webhookCommands: Command[] = [
  {
    group: 'webhook',
    name: 'list',
    args: [{ name: 'organization_id', check: checkOrganizationId }],
    options: { json: { type: 'boolean' } },
    optionHelp: [['--json', 'print a JSON array']],
    summary: "list an organization's webhook endpoints (never their secrets)",
    async run(ctx, { args, values }) {
      const endpoints = (await new FirestoreWebhooks(await ctx.db(), 30_000).list(args.organization_id)).map(toWebhookObject);
      if (values.json) ctx.print(JSON.stringify(endpoints));
      else if (endpoints.length === 0) ctx.print(`${args.organization_id} has no webhook endpoints`);
      else {
        ctx.print(
          table([
            ['WEBHOOK_ID', 'STATE', 'URL', 'EVENT_TYPES'],
            ...endpoints.map((w) => [
              w.id,
              w.enabled ? 'enabled' : `disabled (${w.disabled_reason})`,
              w.url,
              w.event_types.length ? w.event_types.join(',') : 'all',
            ]),
          ]),
        );
      }
    },
  },
];
