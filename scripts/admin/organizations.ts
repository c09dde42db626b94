import { FieldPath, type Firestore } from '@google-cloud/firestore';
import { usageShards } from '../../functions/adapters/usage-shards';
import { isoSeconds } from '../../functions/domain/iso-time';
import {
  membersPath,
  ORGANIZATIONS,
  organizationPath,
  type OrganizationDoc,
  type OrganizationLimits,
} from '../../functions/domain/tenancy';
import { AlreadyExistsError, NotFoundError, UsageError } from './errors';
import { GrpcStatus, hasGrpcStatus } from './grpc-status';
import { checkOrganizationId, checkOrganizationName } from './validate';

export function organizationRef(db: Firestore, organizationId: string) {
  return db.doc(organizationPath(organizationId));
}

/** Creates `organizations/{id}`; refuses an id that is taken (the name defaults to the id). */
export async function createOrganization(
  db: Firestore,
  organizationId: string,
  name?: string,
): Promise<OrganizationDoc & { organization_id: string }> {
  checkOrganizationId(organizationId);
  const doc: OrganizationDoc = {
    name: checkOrganizationName(name ?? organizationId),
    created_at: isoSeconds(Date.now()),
  };
  try {
    await organizationRef(db, organizationId).create(doc);
  } catch (err) {
    if (hasGrpcStatus(err, GrpcStatus.ALREADY_EXISTS)) {
      throw new AlreadyExistsError(`organization ${organizationId} already exists`);
    }
    throw err;
  }
  return { organization_id: organizationId, ...doc };
}

export interface OrganizationSummary extends OrganizationDoc {
  organization_id: string;
}

/** Every organization, by id. */
export async function listOrganizations(db: Firestore): Promise<OrganizationSummary[]> {
  const snap = await db.collection(ORGANIZATIONS).orderBy(FieldPath.documentId()).get();
  return snap.docs.map((d) => ({ organization_id: d.id, ...(d.data() as OrganizationDoc) }));
}

export interface OrganizationDetail extends OrganizationSummary {
  members: number;
  /** summed over the usage shards, as the function sums them */
  usage: { open_sessions: number; stored_bytes: number };
}

export async function showOrganization(db: Firestore, organizationId: string): Promise<OrganizationDetail> {
  checkOrganizationId(organizationId);
  const [org, members, shards] = await Promise.all([
    organizationRef(db, organizationId).get(),
    db.collection(membersPath(organizationId)).count().get(),
    usageShards(db, organizationId).get(),
  ]);
  if (!org.exists) throw new NotFoundError(`organization ${organizationId} does not exist`);
  const usage = { open_sessions: 0, stored_bytes: 0 };
  for (const shard of shards.docs) {
    usage.open_sessions += Number(shard.get('open_sessions') ?? 0);
    usage.stored_bytes += Number(shard.get('stored_bytes') ?? 0);
  }
  return { organization_id: organizationId, ...(org.data() as OrganizationDoc), members: members.data().count, usage };
}

export const NOTHING_TO_SET = 'nothing to set: give --max-open-sessions N and/or --max-stored-bytes N';

/** Sets the organization's own quotas; those not given keep their value. */
export async function setOrganizationLimits(
  db: Firestore,
  organizationId: string,
  limits: OrganizationLimits,
): Promise<OrganizationLimits> {
  checkOrganizationId(organizationId);
  const fields = Object.entries(limits).filter(([, value]) => value !== undefined);
  if (fields.length === 0) throw new UsageError(NOTHING_TO_SET);
  try {
    // Field paths, so a limit not named keeps its value; update() refuses a missing organization.
    await organizationRef(db, organizationId).update(Object.fromEntries(fields.map(([name, value]) => [`limits.${name}`, value])));
  } catch (err) {
    if (hasGrpcStatus(err, GrpcStatus.NOT_FOUND)) throw new NotFoundError(`organization ${organizationId} does not exist`);
    throw err;
  }
  const after = await organizationRef(db, organizationId).get();
  return (after.get('limits') ?? {}) as OrganizationLimits;
}
