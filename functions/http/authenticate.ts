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

  /**
   * The key's caller. Synchronous when the answer is cached or needs no lookup
   * (a value, or a throw), else a promise: on the hot path a cache hit makes no
   * promise, and each one a request makes also runs functions-framework's
   * per-request domain hooks.
   */
  authenticate(headers: IncomingHttpHeaders): Caller | Promise<Caller> {
    const header = headers['x-api-key'];
    const key = (Array.isArray(header) ? header[0] : header)?.trim();
    if (!key) throw new ApiError(401, 'AUTHENTICATION_REQUIRED', 'An API key is required (X-API-Key header)');
    if (!isWellFormedApiKey(key)) throw invalidKey();
    const hash = apiKeyHash(key);
    const doc = this.keys.get(
      hash,
      () => this.directory.findApiKey(hash),
      (found) => found !== null,
    );
    return doc instanceof Promise ? doc.then((found) => this.callerOf(found)) : this.callerOf(doc);
  }

  /** A missing organization and a non-member are the same answer. Synchronous like `authenticate`. */
  authorize(caller: Caller, organizationId: string): void | Promise<void> {
    if (!isOrganizationId(organizationId)) throw accessDenied(organizationId);
    const member = this.members.get(
      `${organizationId}/${caller.principalId}`,
      () => this.directory.isMember(organizationId, caller.principalId),
      (isMember) => isMember,
    );
    if (member instanceof Promise) return member.then((isMember) => admitted(isMember, organizationId));
    admitted(member, organizationId);
  }

  private callerOf(doc: ApiKeyDoc | null): Caller {
    if (!doc) throw invalidKey();
    if (doc.status === 'deactivated') throw new ApiError(401, 'API_KEY_DEACTIVATED', 'This API key has been deactivated');
    if (doc.status === 'paused') throw new ApiError(401, 'API_KEY_PAUSED', 'This API key is paused');
    if (doc.status !== 'active') throw invalidKey();
    if (doc.expires_at && Date.parse(doc.expires_at) <= this.now()) {
      throw new ApiError(401, 'API_KEY_EXPIRED', 'This API key has expired');
    }
    return { principalId: doc.principal_id, keyId: doc.key_id };
  }
}

function admitted(isMember: boolean, organizationId: string): void {
  if (!isMember) throw accessDenied(organizationId);
}

const invalidKey = () => new ApiError(401, 'INVALID_API_KEY', 'The API key is not valid');
