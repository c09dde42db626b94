import type { Firestore } from '@google-cloud/firestore';
import { seedTenant, type KeyOrigin, type TenantSpec } from './seed-tenant';

export const DEMO = {
  organizationId: 'org_demo',
  organizationName: 'Demo organization',
  userId: 'usr_demo',
} as const;

/** How the demo key came about: kept from the last start, re-stored after Firestore lost it, or new. */
export type DemoKeyOrigin = KeyOrigin;

/** The demo organization and its owner; the key of the last start (from dev.json) keeps working unless someone revoked it. */
export function demoTenant(previousKey: string | undefined): TenantSpec {
  return {
    organizationId: DEMO.organizationId,
    organizationName: DEMO.organizationName,
    principalId: DEMO.userId,
    role: 'owner',
    previousKey,
  };
}

/** The demo organization, its owner and an API key, made idempotently. */
export async function seedDemo(db: Firestore, previousKey: string | undefined): Promise<{ apiKey: string; origin: DemoKeyOrigin }> {
  const { apiKey, origin } = await seedTenant(db, demoTenant(previousKey));
  return { apiKey, origin };
}
