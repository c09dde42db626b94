import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface IndexField {
  fieldPath: string;
  order?: 'ASCENDING' | 'DESCENDING';
  arrayConfig?: 'CONTAINS';
}
interface IndexFile {
  indexes: { collectionGroup: string; queryScope: 'COLLECTION' | 'COLLECTION_GROUP'; fields: IndexField[] }[];
  fieldOverrides?: { collectionGroup: string; fieldPath: string; ttl?: boolean }[];
}

export interface CompositeIndex {
  collectionGroup: string;
  queryScope: 'collection' | 'collection-group';
  /** gcloud's --field-config values */
  fieldConfigs: string[];
}

export interface TtlField {
  collectionGroup: string;
  field: string;
}

/** firestore.indexes.json (the file the Firestore emulator and the Firebase CLI read) as gcloud arguments. */
export function readFirestoreIndexes(root: string): { composite: CompositeIndex[]; ttl: TtlField[] } {
  const file = JSON.parse(readFileSync(join(root, 'firestore.indexes.json'), 'utf8')) as IndexFile;
  const composite = file.indexes.map((index) => ({
    collectionGroup: index.collectionGroup,
    queryScope: index.queryScope === 'COLLECTION_GROUP' ? ('collection-group' as const) : ('collection' as const),
    fieldConfigs: index.fields.map((f) =>
      f.arrayConfig ? `field-path=${f.fieldPath},array-config=contains` : `field-path=${f.fieldPath},order=${(f.order ?? 'ASCENDING').toLowerCase()}`,
    ),
  }));
  const ttl = (file.fieldOverrides ?? []).filter((o) => o.ttl).map((o) => ({ collectionGroup: o.collectionGroup, field: o.fieldPath }));
  return { composite, ttl };
}
