import { BackendUnavailable } from './backend-unavailable';
import type { FileRecord } from './file-record';
import { UsageChanged, type FileRecords, type IdempotencyClaim, type MarkerVersion, type Quotas, type UsageRead } from './ports';
import { exceededQuota, usageDelta, type QuotaExceeded } from './usage';

export interface ReservePorts {
  records: FileRecords;
  quotas: Quotas;
}

/**
 * Creates an `uploading` record (or a direct upload's `uploaded` one) only if
 * its organization's usage leaves room for it, exactly under any concurrency:
 * at most the limit is ever granted.
 *
 * The record's write carries its reservation, and commits only if no other
 * reservation of the organization landed since the usage it was judged on was
 * read (compare-and-set on one counter per organization). A loser reads again
 * and decides again; releases never make a reservation retry. `read` is a
 * usage read made beforehand (upload-url makes it while the session starts),
 * so an uncontended reservation costs the record write and nothing more.
 * Reservations of one organization in this instance take turns: they would
 * only make each other lose, at a round trip each.
 *
 * Resolves to the quota the upload would break (nothing written), or
 * undefined once the record is written. Past `giveUpMs` of losing, 503. A
 * failure to read again is a BackendUnavailable without `late`: nothing of
 * that attempt was written, so there is no late write to undo.
 */
export async function reserveUpload(ports: ReservePorts, record: FileRecord, options: ReserveOptions): Promise<QuotaExceeded | undefined> {
  const organizationId = record.organization_id;
  const before = turns.get(organizationId);
  // A read made before an earlier turn committed is stale: read afresh rather than lose.
  const turn = before ? afterTurn(before, () => reserve(ports, record, { ...options, read: undefined })) : reserve(ports, record, options);
  turns.set(organizationId, turn);
  try {
    return await turn;
  } finally {
    if (turns.get(organizationId) === turn) turns.delete(organizationId);
  }
}

interface ReserveOptions {
  claim?: IdempotencyClaim;
  read?: UsageRead;
  giveUpMs: number;
  /** a direct upload's marker, deleted with the record (FileRecords.createUploaded) */
  marker?: MarkerVersion;
}

/** The last reservation under way per organization in this instance: the next one starts when it ends. */
const turns = new Map<string, Promise<unknown>>();

/** Runs `reservation` once the earlier turn has ended, however it ended (its failure is its own caller's). */
async function afterTurn<T>(before: Promise<unknown>, reservation: () => Promise<T>): Promise<T> {
  try {
    await before;
  } catch {
    // The earlier reservation's caller has its error; this one only waited for its end.
  }
  return reservation();
}

async function reserve(ports: ReservePorts, record: FileRecord, options: ReserveOptions): Promise<QuotaExceeded | undefined> {
  const giveUpAt = Date.now() + options.giveUpMs;
  let read = options.read ?? (await readAgain(ports, record.organization_id));
  for (;;) {
    const exceeded = exceededQuota(read.usage, read.limits, usageDelta(null, record.status, record.file_size));
    if (exceeded) return exceeded;
    try {
      if (record.status === 'uploaded') await ports.records.createUploaded(record, options.claim, read.basis, options.marker);
      else await ports.records.createUploading(record, options.claim, read.basis);
      return undefined;
    } catch (error) {
      if (!(error instanceof UsageChanged)) throw error;
      if (Date.now() > giveUpAt) throw new BackendUnavailable('firestore', error);
    }
    read = await readAgain(ports, record.organization_id);
  }
}

function readAgain(ports: ReservePorts, organizationId: string): Promise<UsageRead> {
  return ports.quotas.usage(organizationId).catch((error: unknown) => {
    throw error instanceof BackendUnavailable ? new BackendUnavailable(error.backend, error) : error;
  });
}
