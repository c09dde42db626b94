import { apiKeyHash, type ApiKeyDoc } from '../domain/api-key';
import { usageDelta, type Limits, type Usage } from '../domain/usage';
import { applyFileChange, type FileChange } from '../domain/file-change';
import { fileEventDrafts, type FileEventType } from '../domain/file-events';
import type { FileRecord } from '../domain/file-record';
import { byCodePoint, prefixEnd } from '../domain/filename-key';
import type { FileEvent } from '../generated/schema-types';
import {
  DirectUploadSwept,
  IdempotencyKeyTaken,
  UsageChanged,
  type DirectUpload,
  type DirectUploadMarker,
  type Directory,
  type DownloadRequest,
  type DownloadSigner,
  type EventFeed,
  type FileRecords,
  type FileStatus,
  type IdempotencyClaim,
  type ListQuery,
  type MarkerVersion,
  type NewObject,
  type ObjectStore,
  type ObjectWriter,
  type Quotas,
  type ReservationBasis,
  type SessionProgress,
  type SessionRequest,
  type StoredObject,
  type UploadSessions,
} from '../domain/ports';

/**
 * In-memory ports, for the fastest unit tests and the overhead benchmark only:
 * everything users meet is tested against the emulators. `latencyMs` delays
 * every call, to model a backend round trip.
 */
export class MemoryBackends
  implements Directory, FileRecords, EventFeed, UploadSessions, ObjectStore, ObjectWriter, Quotas, DownloadSigner
{
  readonly keys = new Map<string, ApiKeyDoc>();
  readonly members = new Set<string>();
  readonly files = new Map<string, FileRecord>();
  readonly claims = new Map<string, IdempotencyClaim>();
  /** Direct uploads' markers, by organization and file id. */
  readonly markers = new Map<string, DirectUploadMarker>();
  private markerWrites = 0;
  /** Every organization's events, in commit order. */
  readonly events: FileEvent[] = [];
  readonly sessions = new Map<string, SessionRequest>();
  readonly cancelled = new Set<string>();
  /** Bytes a session has persisted, by URI, as a test sets them. */
  readonly received = new Map<string, number>();
  readonly objects = new Map<string, { object: StoredObject; bytes: Buffer }>();
  readonly usages = new Map<string, Usage>();
  readonly limits = new Map<string, Limits>();
  defaultLimits: Limits = { maxOpenSessions: 1000, maxStoredBytes: 2 ** 50 };
  /** Reservations made, by organization: the version a reservation's compare-and-set checks. */
  private readonly reservations = new Map<string, number>();
  /** Calls made, by port method: what the critical-path tests count. */
  readonly calls: string[] = [];
  /** The most calls that were in flight at once: concurrency, observed without timing. */
  maxInFlight = 0;
  private inFlight = 0;
  /** Make the next calls of these methods fail with the given error. */
  readonly failures = new Map<string, unknown>();

  constructor(private readonly latencyMs = 0) {}

  addKey(key: string, doc: ApiKeyDoc): void {
    this.keys.set(apiKeyHash(key), doc);
  }

  addMember(organizationId: string, principalId: string): void {
    this.members.add(`${organizationId}/${principalId}`);
  }

  findApiKey(keyHash: string) {
    return this.call('findApiKey', () => this.keys.get(keyHash) ?? null);
  }

  isMember(organizationId: string, principalId: string) {
    return this.call('isMember', () => this.members.has(`${organizationId}/${principalId}`));
  }

  createUploading(record: FileRecord, claim?: IdempotencyClaim, basis?: ReservationBasis) {
    return this.call('createUploading', () => this.createReserved(record, claim, basis));
  }

  createUploaded(record: FileRecord, claim?: IdempotencyClaim, basis?: ReservationBasis, marker?: MarkerVersion) {
    return this.call('createUploaded', () => {
      const key = `${record.organization_id}/${record.id}`;
      if (marker !== undefined && this.markers.get(key)?.version !== marker) throw new DirectUploadSwept();
      this.createReserved(record, claim, basis);
      this.markers.delete(key);
    });
  }

  markDirectUpload(upload: DirectUpload) {
    return this.call('markDirectUpload', () => {
      const key = `${upload.organizationId}/${upload.fileId}`;
      if (this.markers.has(key)) throw alreadyExists();
      const version = String(++this.markerWrites);
      this.markers.set(key, { ...upload, version });
      return version;
    });
  }

  findStaleDirectUploads(createdBefore: string, limit: number) {
    return this.call('findStaleDirectUploads', () =>
      [...this.markers.values()]
        .filter((m) => m.createdAt <= createdBefore)
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
        .slice(0, limit),
    );
  }

  claimDirectUpload(marker: DirectUploadMarker) {
    return this.call('claimDirectUpload', () => {
      const key = `${marker.organizationId}/${marker.fileId}`;
      if (this.markers.get(key)?.version !== marker.version) return null;
      const claimed = { ...marker, version: String(++this.markerWrites) };
      this.markers.set(key, claimed);
      return claimed;
    });
  }

  removeDirectUpload(organizationId: string, fileId: string) {
    return this.call('removeDirectUpload', () => {
      this.markers.delete(`${organizationId}/${fileId}`);
    });
  }

  private createReserved(record: FileRecord, claim: IdempotencyClaim | undefined, basis: ReservationBasis | undefined) {
    if (basis !== undefined && basis !== this.basis(record.organization_id)) throw new UsageChanged();
    const claimKey = claim && `${record.organization_id}/${claim.keyHash}`;
    if (claimKey && this.claims.has(claimKey)) throw new IdempotencyKeyTaken();
    if (this.files.has(`${record.organization_id}/${record.id}`)) throw alreadyExists();
    this.files.set(`${record.organization_id}/${record.id}`, { ...record });
    this.addEvents(null, record);
    if (claimKey && claim) this.claims.set(claimKey, claim);
    this.addUsage(record.organization_id, usageDelta(null, record.status, record.file_size));
    this.reservations.set(record.organization_id, (this.reservations.get(record.organization_id) ?? 0) + 1);
  }

  fence(record: FileRecord) {
    return this.call('fence', () => {
      const existing = this.files.get(`${record.organization_id}/${record.id}`);
      if (existing) return existing;
      this.files.set(`${record.organization_id}/${record.id}`, { ...record });
      this.addEvents(null, record);
      return null;
    });
  }

  usage(organizationId: string) {
    return this.call('usage', () => ({
      usage: { ...(this.usages.get(organizationId) ?? { openSessions: 0, storedBytes: 0 }) },
      limits: this.limits.get(organizationId) ?? this.defaultLimits,
      basis: this.basis(organizationId),
    }));
  }

  findClaim(organizationId: string, keyHash: string) {
    return this.call('findClaim', () => this.claims.get(`${organizationId}/${keyHash}`) ?? null);
  }

  releaseClaim(organizationId: string, claim: IdempotencyClaim) {
    return this.call('releaseClaim', () => {
      const key = `${organizationId}/${claim.keyHash}`;
      if (this.claims.get(key)?.fileId !== claim.fileId) return false;
      return this.claims.delete(key);
    });
  }

  find(organizationId: string, fileId: string) {
    return this.call('find', () => {
      const record = this.files.get(`${organizationId}/${fileId}`);
      return record ? { ...record } : null;
    });
  }

  transition(organizationId: string, fileId: string, from: FileStatus, change: Partial<FileRecord>) {
    return this.call('transition', () => {
      const record = this.files.get(`${organizationId}/${fileId}`);
      if (!record) return null;
      if (record.status !== from) return { record: { ...record }, changed: false };
      const after = { ...record, ...change };
      this.files.set(`${organizationId}/${fileId}`, after);
      if (change.status) this.addUsage(organizationId, usageDelta(from, change.status, record.file_size));
      this.addEvents(from, after);
      return { record: { ...after }, changed: true };
    });
  }

  update(organizationId: string, fileId: string, change: FileChange) {
    return this.call('update', () => {
      const outcome = applyFileChange(this.files.get(`${organizationId}/${fileId}`) ?? null, change);
      if ('updated' in outcome) {
        this.files.set(`${organizationId}/${fileId}`, outcome.updated);
        this.addEvents(outcome.updated.status, outcome.updated, true);
      }
      return outcome;
    });
  }

  list(organizationId: string, query: ListQuery) {
    return this.call('list', () => {
      const { search, purpose } = query;
      const end = search === undefined ? undefined : prefixEnd(search);
      // As Firestore's range: a record without filename_key is outside it.
      const inRange = (key: string | undefined) =>
        search === undefined || (key !== undefined && byCodePoint(key, search) >= 0 && (end === undefined || byCodePoint(key, end) < 0));
      const order = search === undefined ? newestFirst : byName;
      const matching = [...this.files.values()]
        .filter(
          (r) =>
            r.organization_id === organizationId &&
            (query.status ? r.status === query.status : r.status !== 'deleted') &&
            (purpose === undefined || r.purpose === purpose) &&
            inRange(r.filename_key),
        )
        .sort(order);
      const after = query.after;
      const from = after
        ? matching.filter((r) => order({ filename_key: after.name, created_at: after.createdAt, id: after.id }, r) < 0)
        : matching;
      return { records: from.slice(query.offset, query.offset + query.limit), total: matching.length };
    });
  }

  listEvents(organizationId: string, query: { after?: string; limit: number; types?: FileEventType[] }) {
    return this.call('listEvents', () => {
      const own = this.events.filter((e) => e.organization_id === organizationId);
      const start = query.after === undefined ? 0 : own.findIndex((e) => e.id === query.after) + 1;
      if (start === 0 && query.after !== undefined) return null;
      const ready = own.slice(start).filter((e) => !query.types?.length || query.types.includes(e.type));
      return { events: ready.slice(0, query.limit), hasMore: ready.length > query.limit };
    });
  }

  findExpired(now: string, limit: number) {
    return this.call('findExpired', () =>
      [...this.files.values()]
        .filter((r) => r.status === 'uploading' && r.expires_at <= now)
        .sort((a, b) => a.expires_at.localeCompare(b.expires_at))
        .slice(0, limit),
    );
  }

  findLeftovers(limit: number) {
    return this.call('findLeftovers', () => [...this.files.values()].filter((r) => r.leftovers === true).slice(0, limit));
  }

  findSessionless(createdBefore: string, limit: number) {
    return this.call('findSessionless', () =>
      [...this.files.values()]
        .filter((r) => r.status === 'uploading' && r.session_uri === null && r.created_at <= createdBefore)
        .sort((a, b) => a.created_at.localeCompare(b.created_at))
        .slice(0, limit),
    );
  }

  /** Puts an object as storage would once an upload completes. */
  putObject(name: string, bytes: Buffer, contentType: string, metadata: Record<string, string> = {}): StoredObject {
    const object = { name, generation: String(Date.now()), size: bytes.length, contentType, metadata };
    this.objects.set(name, { object, bytes });
    return object;
  }

  stat(objectName: string) {
    return this.call('stat', () => this.objects.get(objectName)?.object ?? null);
  }

  readHead(objectName: string, generation: string, bytes: number) {
    return this.call('readHead', () => {
      const stored = this.objects.get(objectName);
      return stored?.object.generation === generation ? stored.bytes.subarray(0, bytes) : null;
    });
  }

  remove(objectName: string, generation?: string) {
    return this.call('remove', () => {
      const stored = this.objects.get(objectName);
      if (stored && (generation === undefined || stored.object.generation === generation)) this.objects.delete(objectName);
    });
  }

  /** Collects the bytes, as storage would once the request completes. */
  async write(request: NewObject, bytes: AsyncIterable<Buffer>) {
    const chunks: Buffer[] = [];
    for await (const chunk of bytes) chunks.push(chunk);
    const whole = Buffer.concat(chunks);
    // A double computes no checksum: storage's and the sent one are the same stand-in.
    const sentCrc32c = 'memory==';
    return this.call('write', () => {
      if (this.objects.has(request.objectName)) throw Object.assign(new Error('precondition failed'), { code: 412 });
      const object = this.putObject(request.objectName, whole, request.contentType, request.metadata);
      object.crc32c = sentCrc32c;
      return { object, sentCrc32c };
    });
  }

  /** Not a real signature: a URL that says what was asked for. */
  signDownloadUrl(request: DownloadRequest) {
    return this.call('signDownloadUrl', () => {
      const query = new URLSearchParams({
        expires: request.expiresAt.toISOString(),
        ...(request.responseDisposition ? { disposition: request.responseDisposition } : {}),
      });
      return `https://storage.memory.invalid/${encodeURI(request.objectName)}?${query}`;
    });
  }

  createSession(request: SessionRequest) {
    return this.call('createSession', () => {
      const uri = `http://storage.invalid/upload/storage/v1/b/bucket/o?uploadType=resumable&upload_id=${this.sessions.size + 1}`;
      this.sessions.set(uri, request);
      return uri;
    });
  }

  cancelSession(sessionUri: string) {
    return this.call('cancelSession', () => {
      this.cancelled.add(sessionUri);
    });
  }

  sessionProgress(sessionUri: string) {
    return this.call('sessionProgress', (): SessionProgress => {
      if (!this.sessions.has(sessionUri) || this.cancelled.has(sessionUri)) return null;
      const request = this.sessions.get(sessionUri)!;
      const received = this.received.get(sessionUri) ?? 0;
      return received >= request.size ? 'complete' : { received };
    });
  }

  private addUsage(organizationId: string, delta: Usage): void {
    const current = this.usages.get(organizationId) ?? { openSessions: 0, storedBytes: 0 };
    this.usages.set(organizationId, {
      openSessions: current.openSessions + delta.openSessions,
      storedBytes: current.storedBytes + delta.storedBytes,
    });
  }

  /** The reservation counter's version: how many reservations the organization has made. */
  private basis(organizationId: string): string {
    return String(this.reservations.get(organizationId) ?? 0);
  }

  /** The events of a change, as the Firestore adapter writes them in its commit. */
  private addEvents(before: FileStatus | null, after: FileRecord, updated = false): void {
    const createdAt = new Date().toISOString();
    for (const draft of fileEventDrafts(before, after, updated)) {
      this.events.push({
        id: draft.id,
        object: 'event',
        type: draft.type,
        created_at: createdAt,
        organization_id: draft.organization_id,
        data: { file: draft.file },
      });
    }
  }

  private async call<T>(method: string, work: () => T): Promise<T> {
    this.calls.push(method);
    this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
    try {
      if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
      const failure = this.failures.get(method);
      if (failure !== undefined) throw failure;
      return work();
    } finally {
      this.inFlight--;
    }
  }
}

/** What Firestore answers a create of a document that exists (gRPC ALREADY_EXISTS). */
function alreadyExists(): Error {
  return Object.assign(new Error('6 ALREADY_EXISTS: Document already exists'), { code: 6 });
}

type Listed = Pick<FileRecord, 'filename_key' | 'created_at' | 'id'>;

/** The listing's order, strings compared by code unit as Firestore compares them (not by locale: `B` before `a`). */
function newestFirst(a: Listed, b: Listed): number {
  const byCodeUnit = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  return byCodeUnit(b.created_at, a.created_at) || byCodeUnit(b.id, a.id);
}

/** A search's order: by filename_key (code points, as Firestore's UTF-8 order), then newest first. */
function byName(a: Listed, b: Listed): number {
  return byCodePoint(a.filename_key ?? '', b.filename_key ?? '') || newestFirst(a, b);
}
