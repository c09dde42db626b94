import type { Firestore } from '@google-cloud/firestore';
import type { Quotas, UsageRead } from '../domain/ports';
import type { Limits } from '../domain/usage';
import { withDeadline } from './deadline';
import { allUsageDocs, basisOf } from './usage-shards';

/** Usage summed over the counter and the shards; limits from `organizations/{org}.limits`, else the defaults. */
export class FirestoreQuotas implements Quotas {
  constructor(
    private readonly db: Firestore,
    private readonly defaults: Limits,
    private readonly timeoutMs: number,
  ) {}

  usage(organizationId: string): Promise<UsageRead> {
    return withDeadline('firestore', this.timeoutMs, async () => {
      // One RPC for the organization (its limits) and its usage. The documents may be read at slightly different
      // times: a shard read early only overstates usage (shards only ever release), and the reservation counter's
      // version is checked again when a reservation commits.
      const [org, reserved, ...shards] = await this.db.getAll(
        this.db.doc(`organizations/${organizationId}`),
        ...allUsageDocs(this.db, organizationId),
      );
      const set = (org.get('limits') ?? {}) as { max_open_sessions?: number; max_stored_bytes?: number };
      let openSessions = 0;
      let storedBytes = 0;
      for (const doc of [reserved, ...shards]) {
        openSessions += Number(doc.get('open_sessions') ?? 0);
        storedBytes += Number(doc.get('stored_bytes') ?? 0);
      }
      return {
        usage: { openSessions, storedBytes },
        basis: basisOf(reserved.updateTime),
        limits: {
          maxOpenSessions: set.max_open_sessions ?? this.defaults.maxOpenSessions,
          maxStoredBytes: set.max_stored_bytes ?? this.defaults.maxStoredBytes,
        },
      };
    });
  }
}
