import type { Firestore } from '@google-cloud/firestore';
import type { ApiKeyDoc } from '../domain/api-key';
import type { Directory } from '../domain/ports';
import { apiKeyPath, memberPath } from '../domain/tenancy';
import { withDeadline } from './deadline';

/** API keys and memberships, read from Firestore. */
export class FirestoreDirectory implements Directory {
  constructor(
    private readonly db: Firestore,
    private readonly timeoutMs: number,
  ) {}

  findApiKey(keyHash: string): Promise<ApiKeyDoc | null> {
    return withDeadline('firestore', this.timeoutMs, async () => {
      const snap = await this.db.doc(apiKeyPath(keyHash)).get();
      return snap.exists ? (snap.data() as ApiKeyDoc) : null;
    });
  }

  isMember(organizationId: string, principalId: string): Promise<boolean> {
    return withDeadline('firestore', this.timeoutMs, async () => {
      const snap = await this.db.doc(memberPath(organizationId, principalId)).get();
      return snap.exists;
    });
  }
}
