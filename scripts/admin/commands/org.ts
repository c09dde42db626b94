import { createOrganization, listOrganizations, NOTHING_TO_SET, setOrganizationLimits, showOrganization } from '../organizations';
import { UsageError } from '../errors';
import { checkOrganizationId, checkOrganizationName } from '../validate';
import { stringValue, type Command, type CommandInput } from './command';
import { table } from './table';

const ORG_ARG = { name: 'organization_id', check: checkOrganizationId };
const JSON_OPTION = { json: { type: 'boolean' } } as const;

// The same bounds the function accepts for its defaults (DEFAULT_MAX_OPEN_SESSIONS, DEFAULT_MAX_STORED_BYTES).
const LIMIT_MAX = { 'max-open-sessions': 1_000_000, 'max-stored-bytes': Number.MAX_SAFE_INTEGER } as const;

function limitValue(values: CommandInput['values'], flag: keyof typeof LIMIT_MAX): number | undefined {
  const raw = stringValue(values, flag);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || value > LIMIT_MAX[flag]) {
    throw new UsageError(`invalid --${flag} ${JSON.stringify(raw)}: expected a whole number from 1 to ${LIMIT_MAX[flag]}`);
  }
  return value;
}

const limitText = (value: number | undefined) => (value === undefined ? 'default' : String(value));

export const orgCommands: Command[] = [
  {
    group: 'org',
    name: 'create',
    args: [ORG_ARG],
    options: { name: { type: 'string' } },
    optionHelp: [['--name NAME', 'display name (default: the id)']],
    summary: 'create an organization',
    async run(ctx, { args, values }) {
      const name = stringValue(values, 'name');
      const org = await createOrganization(await ctx.db(), args.organization_id, name && checkOrganizationName(name));
      ctx.print(`created organization ${org.organization_id} (${org.name})`);
    },
  },
  {
    group: 'org',
    name: 'list',
    args: [],
    options: { ...JSON_OPTION },
    optionHelp: [['--json', 'print a JSON array']],
    summary: 'list the organizations',
    async run(ctx, { values }) {
      const orgs = await listOrganizations(await ctx.db());
      if (values.json) ctx.print(JSON.stringify(orgs));
      else if (orgs.length === 0) ctx.print('no organizations');
      else ctx.print(table([['ORGANIZATION_ID', 'NAME', 'CREATED_AT'], ...orgs.map((o) => [o.organization_id, o.name, o.created_at])]));
    },
  },
  {
    group: 'org',
    name: 'show',
    args: [ORG_ARG],
    options: { ...JSON_OPTION },
    optionHelp: [['--json', 'print a JSON object']],
    summary: 'show an organization: name, members, quotas and what it uses of them',
    async run(ctx, { args, values }) {
      const org = await showOrganization(await ctx.db(), args.organization_id);
      if (values.json) {
        ctx.print(JSON.stringify(org));
        return;
      }
      ctx.print(
        [
          `organization_id:    ${org.organization_id}`,
          `name:               ${org.name}`,
          `created_at:         ${org.created_at}`,
          `members:            ${org.members}`,
          `open_sessions:      ${org.usage.open_sessions} of ${limitText(org.limits?.max_open_sessions)}`,
          `stored_bytes:       ${org.usage.stored_bytes} of ${limitText(org.limits?.max_stored_bytes)}`,
        ].join('\n'),
      );
      if (org.limits?.max_open_sessions === undefined || org.limits?.max_stored_bytes === undefined) {
        ctx.note("'default': the deployment's DEFAULT_MAX_OPEN_SESSIONS / DEFAULT_MAX_STORED_BYTES");
      }
    },
  },
  {
    group: 'org',
    name: 'limits set',
    args: [ORG_ARG],
    options: { 'max-open-sessions': { type: 'string' }, 'max-stored-bytes': { type: 'string' } },
    optionHelp: [
      ['--max-open-sessions N', 'upload sessions open at once'],
      ['--max-stored-bytes N', 'bytes of files stored and being uploaded'],
    ],
    summary: "set an organization's quotas (those not given keep their value)",
    async run(ctx, { args, values }) {
      const wanted = {
        max_open_sessions: limitValue(values, 'max-open-sessions'),
        max_stored_bytes: limitValue(values, 'max-stored-bytes'),
      };
      // Bad usage is exit 2 before Firestore is opened, whatever the network does.
      if (wanted.max_open_sessions === undefined && wanted.max_stored_bytes === undefined) throw new UsageError(NOTHING_TO_SET);
      const limits = await setOrganizationLimits(await ctx.db(), args.organization_id, wanted);
      ctx.print(
        `${args.organization_id}: max_open_sessions ${limitText(limits.max_open_sessions)}, max_stored_bytes ${limitText(limits.max_stored_bytes)}`,
      );
    },
  },
];
