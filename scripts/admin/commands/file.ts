import { backfillSearch } from '../search-backfill';
import { checkOrganizationId } from '../validate';
import { stringValue, type Command } from './command';

export const fileCommands: Command[] = [
  {
    group: 'file',
    name: 'backfill-search',
    args: [],
    options: { org: { type: 'string' } },
    optionHelp: [['--org ORGANIZATION_ID', 'only this organization (default: all)']],
    summary: 'give file records from before search and purpose filters what those filters need (safe to repeat)',
    async run(ctx, { values }) {
      const org = stringValue(values, 'org');
      const { scanned, updated } = await backfillSearch(await ctx.db(), org === undefined ? undefined : checkOrganizationId(org));
      ctx.print(`scanned ${scanned} file records, backfilled ${updated}`);
    },
  },
];
