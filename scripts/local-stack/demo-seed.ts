import type { Firestore } from '@google-cloud/firestore';
import { isWellFormedApiKey } from '../../functions/domain/api-key';
import { createApiKey, findApiKey, restoreApiKey } from '../admin/api-keys';
import { AlreadyExistsError } from '../admin/errors';
import { addMember } from '../admin/members';
import { createOrganization } from '../admin/organizations';

export const DEMO = {
  organizationId: 'org_demo',
  organizationName: 'Demo organization',
  userId: 'usr_demo',
} as const;

/** How the demo key came about: kept from the last start, re-stored after Firestore lost it, or new. */
export type DemoKeyOrigin = 'reused' | 'restored' | 'new';

async function unlessExists(create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (err) {
    if (!(err instanceof AlreadyExistsError)) throw err;
  }
}

/** The demo organization, its owner and an API key, made idempotently: the key of the last start
 * (from dev.json) keeps working unless someone revoked it. */
export async function seedDemo(db: Firestore, previousKey: string | undefined): Promise<{ apiKey: string; origin: DemoKeyOrigin }> {
  await unlessExists(() => createOrganization(db, DEMO.organizationId, DEMO.organizationName));
  await unlessExists(() => addMember(db, DEMO.organizationId, DEMO.userId, 'owner'));
  if (previousKey && isWellFormedApiKey(previousKey)) {
    const stored = await findApiKey(db, previousKey);
    if (stored?.principal_id === DEMO.userId && stored.status !== 'deactivated') return { apiKey: previousKey, origin: 'reused' };
    if (!stored) {
      await restoreApiKey(db, previousKey, DEMO.userId);
      return { apiKey: previousKey, origin: 'restored' };
    }
  }
  const created = await createApiKey(db, DEMO.userId);
  return { apiKey: created.api_key, origin: 'new' };
}
