/**
 * The tenancy model, as Firestore holds it; the function and files-admin both
 * read and write it through these names and rules only.
 *
 *   organizations/{organization_id}                     OrganizationDoc
 *   organizations/{organization_id}/members/{user_id}   MemberDoc
 *   api_keys/{sha256 hex of the key}                    ApiKeyDoc (functions/domain/api-key.ts)
 *
 * Times are ISO-8601 UTC in whole seconds (functions/domain/iso-time.ts), as
 * everywhere in the API, so stored times compare as strings.
 */
export type { ApiKeyDoc, ApiKeyStatus } from './api-key';

/**
 * Organization and user ids: 1-128 letters, digits, '_' or '-', starting with
 * a letter or digit. Such an id is a Firestore document id, a URL path segment
 * and an object-name segment as it is, with nothing to escape; 128 is what the
 * API has always accepted, so every organization a request can name can also
 * be managed.
 */
export const TENANT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
export const TENANT_ID_RULE = "1-128 letters, digits, '_' or '-', starting with a letter or digit";

export function isOrganizationId(value: string): boolean {
  return TENANT_ID_PATTERN.test(value);
}

export function isUserId(value: string): boolean {
  return TENANT_ID_PATTERN.test(value);
}

export const ROLES = ['owner', 'admin', 'member'] as const;
export type Role = (typeof ROLES)[number];

/** Quotas set for one organization; a missing one falls back to the deployment's default. */
export interface OrganizationLimits {
  max_open_sessions?: number;
  max_stored_bytes?: number;
}

export interface OrganizationDoc {
  name: string;
  created_at: string;
  limits?: OrganizationLimits;
}

export interface MemberDoc {
  role: Role;
  created_at: string;
}

export const ORGANIZATIONS = 'organizations';
export const API_KEYS = 'api_keys';

export const organizationPath = (organizationId: string) => `${ORGANIZATIONS}/${organizationId}`;
export const membersPath = (organizationId: string) => `${organizationPath(organizationId)}/members`;
export const memberPath = (organizationId: string, userId: string) => `${membersPath(organizationId)}/${userId}`;
export const apiKeyPath = (keyHash: string) => `${API_KEYS}/${keyHash}`;
