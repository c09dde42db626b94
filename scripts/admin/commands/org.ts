import { createOrganization } from '../organizations';
import { checkOrganizationId, checkOrganizationName } from '../validate';
import { stringValue, type Command } from './command';

export const orgCommands: Command[] = [
  {
    group: 'org',
    name: 'create',
    args: [{ name: 'organization_id', check: checkOrganizationId }],
    options: { name: { type: 'string' } },
    optionHelp: [['--name NAME', 'display name (default: the id)']],
    summary: 'create an organization',
    async run(ctx, { args, values }) {
      const name = stringValue(values, 'name');
      const org = await createOrganization(await ctx.db(), args.organization_id, name && checkOrganizationName(name));
      ctx.print(`created organization ${org.organization_id} (${org.name})`);
    },
  },
];
