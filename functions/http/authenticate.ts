import type { IncomingHttpHeaders } from 'node:http';
import { apiKeyHash, isWellFormedApiKey, type ApiKeyDoc } from '../domain/api-key';
import type { Directory } from '../domain/ports';
import { isOrganizationId } from '../domain/tenancy';
import { TtlCache } from '../domain/ttl-cache';
import type { Caller } from '../domain/caller';
import { accessDenied, ApiError } from '../errors/api-error';

/**
 * X-API-Key -> principal -> membership. Keys are looked up by their SHA-256, so
 * nothing secret is ever compared. Hits are cached per instance for a short
 * time (revocation and removal take effect within it); misses never are, so a
 * key or member just created works at once.
 */
export class Authenticator {
  private readonly keys: TtlCache<ApiKeyDoc | null>;
  private readonly members: TtlCache<boolean>;

  constructor(
    private readonly directory: Directory,
    cacheTtlMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.keys = new TtlCache(cacheTtlMs, 10_000, now);
    this.members = new TtlCache(cacheTtlMs, 10_000, now);
  }

  async authenticate(headers: IncomingHttpHeaders): Promise<Caller> {
    const header = headers['x-api-key'];
    const key = (Array.isArray(header) ? header[0] : header)?.trim();
    if (!key) throw new ApiError(401, 'AUTHENTICATION_REQUIRED', 'An API key is required (X-API-Key header)');
    if (!isWellFormedApiKey(key)) throw invalidKey();
    const hash = apiKeyHash(key);
    const doc = await this.keys.get(
      hash,
      () => this.directory.findApiKey(hash),
      (found) => found !== null,
    );
    if (!doc) throw invalidKey();
    if (doc.status === 'deactivated') throw new ApiError(401, 'API_KEY_DEACTIVATED', 'This API key has been deactivated');
    if (doc.status === 'paused') throw new ApiError(401, 'API_KEY_PAUSED', 'This API key is paused');
    if (doc.status !== 'active') throw invalidKey();
    if (doc.expires_at && Date.parse(doc.expires_at) <= this.now()) {
      throw new ApiError(401, 'API_KEY_EXPIRED', 'This API key has expired');
    }
    return { principalId: doc.principal_id, keyId: doc.key_id };
  }

  /** A missing organization and a non-member are the same answer. */
  async authorize(caller: Caller, organizationId: string): Promise<void> {
    if (!isOrganizationId(organizationId)) throw accessDenied(organizationId);
    const member = await this.members.get(
      `${organizationId}/${caller.principalId}`,
      () => this.directory.isMember(organizationId, caller.principalId),
      (isMember) => isMember,
    );
    if (!member) throw accessDenied(organizationId);
  }
}

const invalidKey = () => new ApiError(401, 'INVALID_API_KEY', 'The API key is not valid');
