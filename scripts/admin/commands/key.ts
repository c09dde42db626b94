import { DEFAULT_AUTH_CACHE_TTL_SECONDS } from '../../../functions/config';
import type { ApiKeyStatus } from '../../../functions/domain/tenancy';
import { createApiKey, listKeys, setKeyStatus, type KeyAction, type KeySummary } from '../api-keys';
import { checkExpiresAt, checkKeyId, checkUserId } from '../validate';
import { stringValue, type Command } from './command';
import { table } from './table';

const USER_ARG = { name: 'user_id', check: checkUserId };
const JSON_OPTION = { json: { type: 'boolean' } } as const;

function statusCommand(action: KeyAction, summary: string): Command {
  return {
    group: 'key',
    name: action,
    args: [{ name: 'key_id', check: checkKeyId }],
    options: {},
    optionHelp: [],
    summary,
    async run(ctx, { args }) {
      const result = await setKeyStatus(await ctx.db(), args.key_id, action);
      ctx.print(`${result.key_id} ${result.changed ? 'is now' : 'was already'} ${shownStatus(result.status)}`);
      // Instances that looked the key up lately act on what they saw until their cache entry expires.
      if (result.changed) ctx.note(`Takes effect within ${TAKES_EFFECT}.`);
    },
  };
}

const TAKES_EFFECT =
  `${DEFAULT_AUTH_CACHE_TTL_SECONDS} s on every instance of the function ` +
  `(its auth cache: AUTH_CACHE_TTL_SECONDS, ${DEFAULT_AUTH_CACHE_TTL_SECONDS} unless the deployment sets another)`;

/** A deactivated key is revoked for good: shown by what was done to it, as `key revoke` names it. */
const shownStatus = (status: ApiKeyStatus) => (status === 'deactivated' ? 'revoked' : status);

function keyTable(keys: KeySummary[]): string {
  return table([
    ['KEY_ID', 'STATUS', 'EXPIRES_AT', 'CREATED_AT', 'LAST4'],
    ...keys.map((k) => [k.key_id, shownStatus(k.status), k.expires_at ?? '-', k.created_at, k.last4]),
  ]);
}

export const keyCommands: Command[] = [
  {
    group: 'key',
    name: 'create',
    args: [USER_ARG],
    options: { 'expires-at': { type: 'string' }, ...JSON_OPTION },
    optionHelp: [
      ['--expires-at ISO', 'when the key stops working, e.g. 2030-01-31T00:00:00Z (default: never)'],
      ['--json', 'print {"key_id","api_key","principal_id"}'],
    ],
    summary: 'create an API key for a user and print it (the only time it is shown)',
    async run(ctx, { args, values }) {
      const expiresAtFlag = stringValue(values, 'expires-at');
      const expiresAt = expiresAtFlag === undefined ? null : checkExpiresAt(expiresAtFlag);
      const key = await createApiKey(await ctx.db(), args.user_id, { expiresAt });
      if (values.json) {
        ctx.print(JSON.stringify({ key_id: key.key_id, api_key: key.api_key, principal_id: key.principal_id }));
        return;
      }
      ctx.print(`key_id:       ${key.key_id}\nprincipal_id: ${key.principal_id}\napi_key:      ${key.api_key}`);
      ctx.note('Store the api_key now: it is shown only this once.');
    },
  },
  statusCommand('pause', 'pause a key (requests with it fail until it is resumed)'),
  statusCommand('resume', 'make a paused key active again (not a revoked one)'),
  statusCommand('revoke', `revoke a key for good (takes effect within ${DEFAULT_AUTH_CACHE_TTL_SECONDS} s)`),
  {
    group: 'key',
    name: 'list',
    args: [USER_ARG],
    options: { ...JSON_OPTION },
    optionHelp: [['--json', 'print a JSON array']],
    summary: "list a user's keys (never the keys themselves)",
    async run(ctx, { args, values }) {
      const keys = await listKeys(await ctx.db(), args.user_id);
      if (values.json) ctx.print(JSON.stringify(keys.map((k) => ({ ...k, status: shownStatus(k.status) }))));
      else if (keys.length === 0) ctx.print(`${args.user_id} has no API keys`);
      else ctx.print(keyTable(keys));
    },
  },
];
