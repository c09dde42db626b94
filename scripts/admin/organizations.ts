import type { Firestore } from '@google-cloud/firestore';
import { AlreadyExistsError } from './errors';
import { GrpcStatus, hasGrpcStatus } from './grpc-status';
import { checkOrganizationId, checkOrganizationName } from './validate';

export interface OrganizationDoc {
  name: string;
  created_at: string;
}

export function organizationRef(db: Firestore, organizationId: string) {
  return db.collection('organizations').doc(organizationId);
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
    created_at: new Date().toISOString(),
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
