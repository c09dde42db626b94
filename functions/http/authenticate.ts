import type { IncomingHttpHeaders } from 'node:http';
import { apiKeyHash, isWellFormedApiKey, type ApiKeyDoc } from '../domain/api-key';
import type { Directory } from '../domain/ports';
import { isOrganizationId } from '../domain/tenancy';
import { TtlCache } from '../domain/ttl-cache';
import type { Caller } from '../domain/caller';
import { accessDenied, ApiError } from '../errors/api-error';

// How long a key or membership seen valid keeps the right to a lookup from an address refused for its failures.
const KNOWN_VALID_MS = 3600_000;

/**
 * X-API-Key -> principal -> membership. Keys are looked up by their SHA-256, so
 * nothing secret is ever compared. Hits are cached per instance for a short
 * time (revocation and removal take effect within it); misses never are, so a
 * key or member just created works at once. A malformed key is refused
 * before any lookup. `refusal` (the client address is past its failures) is
 * thrown instead of looking up a key or membership this instance has not seen
 * valid in the last hour: seen valid, it is looked up as usual, so a flood of
 * made-up keys from an address costs no reads and locks out no key in use.
 */
export class Authenticator {
  private readonly keys: TtlCache<ApiKeyDoc | null>;
  private readonly members: TtlCache<boolean>;
  private readonly knownValid: TtlCache<true>;

  constructor(
    private readonly directory: Directory,
    cacheTtlMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.keys = new TtlCache(cacheTtlMs, 10_000, now);
    this.members = new TtlCache(cacheTtlMs, 10_000, now);
    this.knownValid = new TtlCache(KNOWN_VALID_MS, 50_000, now);
  }

  /** The key's caller, or the 401 that refuses it. */
  async authenticate(headers: IncomingHttpHeaders, refusal?: ApiError): Promise<Caller> {
    const header = headers['x-api-key'];
    const key = (Array.isArray(header) ? header[0] : header)?.trim();
    if (!key) throw new ApiError(401, 'AUTHENTICATION_REQUIRED', 'An API key is required (X-API-Key header)');
    if (!isWellFormedApiKey(key)) throw invalidKey();
    const hash = apiKeyHash(key);
    const doc = await this.keys.get(
      hash,
      () => this.lookUp(`key:${hash}`, refusal, () => this.directory.findApiKey(hash)),
      (found) => found !== null,
    );
    return this.callerOf(doc, hash);
  }

  /** A missing organization and a non-member are the same answer. */
  async authorize(caller: Caller, organizationId: string, refusal?: ApiError): Promise<void> {
    if (!isOrganizationId(organizationId)) throw accessDenied(organizationId);
    const membership = `${organizationId}/${caller.principalId}`;
    const isMember = await this.members.get(
      membership,
      () => this.lookUp(`member:${membership}`, refusal, () => this.directory.isMember(organizationId, caller.principalId)),
      (found) => found,
    );
    if (!isMember) throw accessDenied(organizationId);
    this.knownValid.remember(`member:${membership}`, true);
  }

  /** The lookup, unless the address is refused and this instance has not seen `what` valid lately. */
  private lookUp<T>(what: string, refusal: ApiError | undefined, load: () => Promise<T>): Promise<T> {
    if (refusal && this.knownValid.peek(what) === undefined) return Promise.reject(refusal);
    return load();
  }

  private callerOf(doc: ApiKeyDoc | null, hash: string): Caller {
    if (!doc) throw invalidKey();
    if (doc.status === 'deactivated') throw new ApiError(401, 'API_KEY_DEACTIVATED', 'This API key has been deactivated');
    if (doc.status === 'paused') throw new ApiError(401, 'API_KEY_PAUSED', 'This API key is paused');
    if (doc.status !== 'active') throw invalidKey();
    if (doc.expires_at && Date.parse(doc.expires_at) <= this.now()) {
      throw new ApiError(401, 'API_KEY_EXPIRED', 'This API key has expired');
    }
    this.knownValid.remember(`key:${hash}`, true);
    return { principalId: doc.principal_id, keyId: doc.key_id };
  }
}

const invalidKey = () => new ApiError(401, 'INVALID_API_KEY', 'The API key is not valid');
