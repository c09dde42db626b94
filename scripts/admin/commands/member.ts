import { addMember, listMembers, removeMember } from '../members';
import { checkOrganizationId, checkRole, checkUserId, ROLES } from '../validate';
import { stringValue, type Command } from './command';
import { table } from './table';

const MEMBER_ARGS = [
  { name: 'organization_id', check: checkOrganizationId },
  { name: 'user_id', check: checkUserId },
];

export const memberCommands: Command[] = [
  {
    group: 'member',
    name: 'add',
    args: MEMBER_ARGS,
    options: { role: { type: 'string' } },
    optionHelp: [[`--role ${ROLES.join('|')}`, "the member's role (default: member)"]],
    summary: 'make a user a member of an organization',
    async run(ctx, { args, values }) {
      const role = checkRole(stringValue(values, 'role') ?? 'member');
      await addMember(await ctx.db(), args.organization_id, args.user_id, role);
      ctx.print(`added ${args.user_id} to ${args.organization_id} as ${role}`);
    },
  },
  {
    group: 'member',
    name: 'remove',
    args: MEMBER_ARGS,
    options: {},
    optionHelp: [],
    summary: 'remove a user from an organization',
    async run(ctx, { args }) {
      await removeMember(await ctx.db(), args.organization_id, args.user_id);
      ctx.print(`removed ${args.user_id} from ${args.organization_id}`);
    },
  },
  {
    group: 'member',
    name: 'list',
    args: [MEMBER_ARGS[0]],
    options: { json: { type: 'boolean' } },
    optionHelp: [['--json', 'print a JSON array']],
    summary: "list an organization's members",
    async run(ctx, { args, values }) {
      const members = await listMembers(await ctx.db(), args.organization_id);
      if (values.json) ctx.print(JSON.stringify(members));
      else if (members.length === 0) ctx.print(`${args.organization_id} has no members`);
      else ctx.print(table([['USER_ID', 'ROLE', 'CREATED_AT'], ...members.map((m) => [m.user_id, m.role, m.created_at])]));
    },
  },
];
