import { FieldValue, type DocumentReference, type Firestore, type Timestamp } from '@google-cloud/firestore';
import type { DirectUpload, DirectUploadMarker, MarkerVersion } from '../domain/ports';
import { basisOf, updateTimeOf } from './usage-shards';
import { FAILED_PRECONDITION, NOT_FOUND } from './grpc-status';

/**
 * `organizations/{org}/direct_uploads/{file_id}`: a direct upload's marker,
 * written before its object and deleted in the commit of its record. The sweep
 * finds the old ones by `created_at` (a collection-group single-field index,
 * firestore.indexes.json). A marker's version is its update time.
 */
interface MarkerDoc {
  organization_id: string;
  file_id: string;
  object_name: string;
  created_at: string;
  /** when a sweep took it (server time); set only by claimMarker */
  claimed_at?: Timestamp;
}

export function markerRef(db: Firestore, organizationId: string, fileId: string): DocumentReference {
  return db.doc(`organizations/${organizationId}/direct_uploads/${fileId}`);
}

/** The precondition a record's commit puts on deleting its marker: still the write the upload made. */
export function markerAt(version: MarkerVersion): { lastUpdateTime: Timestamp } {
  return { lastUpdateTime: updateTimeOf(version) };
}

export async function writeMarker(db: Firestore, upload: DirectUpload): Promise<MarkerVersion> {
  const doc: MarkerDoc = {
    organization_id: upload.organizationId,
    file_id: upload.fileId,
    object_name: upload.objectName,
    created_at: upload.createdAt,
  };
  const result = await markerRef(db, upload.organizationId, upload.fileId).create(doc);
  return basisOf(result.writeTime);
}

/** Whether a commit that failed its preconditions failed on the marker: it is gone or at another version. */
export async function markerMoved(db: Firestore, organizationId: string, fileId: string, version: MarkerVersion): Promise<boolean> {
  const snap = await markerRef(db, organizationId, fileId).get();
  return !snap.exists || basisOf(snap.updateTime) !== version;
}

export async function staleMarkers(db: Firestore, createdBefore: string, limit: number): Promise<DirectUploadMarker[]> {
  const snap = await db.collectionGroup('direct_uploads').where('created_at', '<=', createdBefore).orderBy('created_at').limit(limit).get();
  return snap.docs.map((d) => {
    const doc = d.data() as MarkerDoc;
    return {
      organizationId: doc.organization_id,
      fileId: doc.file_id,
      objectName: doc.object_name,
      createdAt: doc.created_at,
      version: basisOf(d.updateTime),
    };
  });
}

/** A write that changes the marker (so its version), only if it is still at the version read. */
export async function claimMarker(db: Firestore, marker: DirectUploadMarker): Promise<DirectUploadMarker | null> {
  try {
    const ref = markerRef(db, marker.organizationId, marker.fileId);
    const result = await ref.update({ claimed_at: FieldValue.serverTimestamp() }, markerAt(marker.version));
    return { ...marker, version: basisOf(result.writeTime) };
  } catch (error) {
    const code = (error as { code?: number }).code;
    if (code === FAILED_PRECONDITION || code === NOT_FOUND) return null;
    throw error;
  }
}
