import type { Firestore } from '@google-cloud/firestore';
import type { Quotas } from '../domain/ports';
import type { Limits } from '../domain/usage';
import { withDeadline } from './deadline';
import { stampOf, usageShards } from './usage-shards';

/** Usage summed over the shards; limits from `organizations/{org}.limits`, else the defaults. */
export class FirestoreQuotas implements Quotas {
  constructor(
    private readonly db: Firestore,
    private readonly defaults: Limits,
    private readonly timeoutMs: number,
  ) {}

  usage(organizationId: string) {
    return withDeadline('firestore', this.timeoutMs, async () => {
      const [org, shards] = await Promise.all([
        this.db.doc(`organizations/${organizationId}`).get(),
        usageShards(this.db, organizationId).get(),
      ]);
      const set = (org.get('limits') ?? {}) as { max_open_sessions?: number; max_stored_bytes?: number };
      let openSessions = 0;
      let storedBytes = 0;
      for (const shard of shards.docs) {
        openSessions += Number(shard.get('open_sessions') ?? 0);
        storedBytes += Number(shard.get('stored_bytes') ?? 0);
      }
      return {
        usage: { openSessions, storedBytes },
        readAt: stampOf(shards.readTime),
        limits: {
          maxOpenSessions: set.max_open_sessions ?? this.defaults.maxOpenSessions,
          maxStoredBytes: set.max_stored_bytes ?? this.defaults.maxStoredBytes,
        },
      };
    });
  }
}
