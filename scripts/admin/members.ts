import { FieldPath, type Firestore } from '@google-cloud/firestore';
import { isoSeconds } from '../../functions/domain/iso-time';
import { memberPath, membersPath, type MemberDoc } from '../../functions/domain/tenancy';
import { AlreadyExistsError, NotFoundError } from './errors';
import { GrpcStatus, hasGrpcStatus } from './grpc-status';
import { organizationRef } from './organizations';
import { checkOrganizationId, checkRole, checkUserId, type Role } from './validate';

// The local stack's seed names the document's role type from here.
export type { MemberDoc };

function memberRef(db: Firestore, organizationId: string, userId: string) {
  return db.doc(memberPath(organizationId, userId));
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
  const doc: MemberDoc = { role: checkRole(role), created_at: isoSeconds(Date.now()) };
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

export interface MemberSummary extends MemberDoc {
  user_id: string;
}

/** An organization's members, by user id. */
export async function listMembers(db: Firestore, organizationId: string): Promise<MemberSummary[]> {
  checkOrganizationId(organizationId);
  const [snap] = await Promise.all([
    db.collection(membersPath(organizationId)).orderBy(FieldPath.documentId()).get(),
    assertOrganizationExists(db, organizationId),
  ]);
  return snap.docs.map((d) => ({ user_id: d.id, ...(d.data() as MemberDoc) }));
}
