import { isoSeconds } from '../../functions/domain/iso-time';
import { ROLES, TENANT_ID_PATTERN, TENANT_ID_RULE, type Role } from '../../functions/domain/tenancy';
import { UsageError } from './errors';

/** `newKeyId()` makes `key_` + 16 base64url characters; allow some room. */
const KEY_ID_PATTERN = /^key_[A-Za-z0-9_-]{1,64}$/;
/** A full timestamp with an explicit zone, so a key never expires at a local time the admin did not mean. */
const TIMESTAMP_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const MAX_NAME_LENGTH = 200;

export { ROLES, type Role };

export function checkOrganizationId(value: string): string {
  return checkId('organization id', value);
}

export function checkUserId(value: string): string {
  return checkId('user id', value);
}

function checkId(what: string, value: string): string {
  if (!TENANT_ID_PATTERN.test(value)) {
    throw new UsageError(`invalid ${what} ${JSON.stringify(value)}: expected ${TENANT_ID_RULE}`);
  }
  return value;
}

export function checkKeyId(value: string): string {
  if (!KEY_ID_PATTERN.test(value)) throw new UsageError(`invalid key id ${JSON.stringify(value)}: expected key_…`);
  return value;
}

export function checkRole(value: string): Role {
  const role = ROLES.find((r) => r === value);
  if (!role) throw new UsageError(`invalid role ${JSON.stringify(value)}: expected one of ${ROLES.join(', ')}`);
  return role;
}

export function checkOrganizationName(value: string): string {
  const name = value.trim();
  if (name.length === 0 || name.length > MAX_NAME_LENGTH || /[\u0000-\u001f\u007f]/.test(name)) {
    throw new UsageError(`invalid organization name: 1-${MAX_NAME_LENGTH} characters, no control characters`);
  }
  return name;
}

/** An expiry in the future, as the API writes times: ISO-8601 UTC in whole seconds (a fraction is dropped, so it never expires late). */
export function checkExpiresAt(value: string, now: Date = new Date()): string {
  const at = new Date(value);
  if (!TIMESTAMP_PATTERN.test(value) || Number.isNaN(at.getTime())) {
    throw new UsageError(
      `invalid --expires-at ${JSON.stringify(value)}: expected an ISO-8601 timestamp with a zone, e.g. 2030-01-31T00:00:00Z`,
    );
  }
  if (at.getTime() <= now.getTime()) throw new UsageError(`--expires-at ${value} is not in the future`);
  return isoSeconds(at.getTime());
}
