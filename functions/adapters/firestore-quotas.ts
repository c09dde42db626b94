import type { Firestore } from '@google-cloud/firestore';
import type { Quotas } from '../domain/ports';
import type { Limits } from '../domain/usage';
import { withDeadline } from './deadline';
import { allUsageShards, stampOf } from './usage-shards';

/** Usage summed over the shards; limits from `organizations/{org}.limits`, else the defaults. */
export class FirestoreQuotas implements Quotas {
  constructor(
    private readonly db: Firestore,
    private readonly defaults: Limits,
    private readonly timeoutMs: number,
  ) {}

  usage(organizationId: string) {
    return withDeadline('firestore', this.timeoutMs, async () => {
      // One RPC for the organization (its limits) and the shards (its usage). A batch get's read times may rise
      // from one document to the next, each earlier one unchanged until the later time: all hold at the latest.
      const [org, ...shards] = await this.db.getAll(
        this.db.doc(`organizations/${organizationId}`),
        ...allUsageShards(this.db, organizationId),
      );
      const set = (org.get('limits') ?? {}) as { max_open_sessions?: number; max_stored_bytes?: number };
      let openSessions = 0;
      let storedBytes = 0;
      for (const shard of shards) {
        openSessions += Number(shard.get('open_sessions') ?? 0);
        storedBytes += Number(shard.get('stored_bytes') ?? 0);
      }
      return {
        usage: { openSessions, storedBytes },
        readAt: [org, ...shards].map((snap) => stampOf(snap.readTime)).reduce((a, b) => (a > b ? a : b)),
        limits: {
          maxOpenSessions: set.max_open_sessions ?? this.defaults.maxOpenSessions,
          maxStoredBytes: set.max_stored_bytes ?? this.defaults.maxStoredBytes,
        },
      };
    });
  }
}
