import type { Firestore } from '@google-cloud/firestore';
import { AlreadyExistsError, NotFoundError } from './errors';
import { GrpcStatus, hasGrpcStatus } from './grpc-status';
import { organizationRef } from './organizations';
import { checkOrganizationId, checkRole, checkUserId, type Role } from './validate';

export interface MemberDoc {
  role: Role;
  created_at: string;
}

function memberRef(db: Firestore, organizationId: string, userId: string) {
  return organizationRef(db, organizationId).collection('members').doc(userId);
}

async function assertOrganizationExists(db: Firestore, organizationId: string): Promise<void> {
  if (!(await organizationRef(db, organizationId).get()).exists) {
    throw new NotFoundError(`organization ${organizationId} does not exist`);
  }
}

/** Creates `organizations/{org}/members/{user}`; an existing membership is refused, not overwritten. */
export async function addMember(db: Firestore, organizationId: string, userId: string, role: Role = 'member'): Promise<MemberDoc> {
  checkOrganizationId(organizationId);
  checkUserId(userId);
  const doc: MemberDoc = { role: checkRole(role), created_at: new Date().toISOString() };
  await assertOrganizationExists(db, organizationId);
  try {
    await memberRef(db, organizationId, userId).create(doc);
  } catch (err) {
    if (hasGrpcStatus(err, GrpcStatus.ALREADY_EXISTS)) {
      throw new AlreadyExistsError(`${userId} is already a member of ${organizationId}`);
    }
    throw err;
  }
  return doc;
}

export async function removeMember(db: Firestore, organizationId: string, userId: string): Promise<void> {
  checkOrganizationId(organizationId);
  checkUserId(userId);
  try {
    // The precondition makes the delete itself report a missing member, with no read before it.
    await memberRef(db, organizationId, userId).delete({ exists: true });
  } catch (err) {
    if (!hasGrpcStatus(err, GrpcStatus.NOT_FOUND)) throw err;
    await assertOrganizationExists(db, organizationId);
    throw new NotFoundError(`${userId} is not a member of ${organizationId}`);
  }
}
