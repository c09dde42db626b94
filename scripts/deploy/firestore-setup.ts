import { readFileSync } from 'node:fs';
import { join } from 'node:path';

type QueryScope = 'COLLECTION' | 'COLLECTION_GROUP';
interface IndexField {
  fieldPath: string;
  order?: 'ASCENDING' | 'DESCENDING';
  arrayConfig?: 'CONTAINS';
}
interface IndexFile {
  indexes: { collectionGroup: string; queryScope: QueryScope; fields: IndexField[] }[];
  fieldOverrides?: {
    collectionGroup: string;
    fieldPath: string;
    ttl?: boolean;
    indexes?: { queryScope: QueryScope; order?: IndexField['order']; arrayConfig?: IndexField['arrayConfig'] }[];
  }[];
}

export interface CompositeIndex {
  collectionGroup: string;
  queryScope: 'collection' | 'collection-group';
  /** gcloud's --field-config values */
  fieldConfigs: string[];
}

/** One field's settings, as the Firestore Admin API's Field takes them. */
export interface FieldOverride {
  collectionGroup: string;
  field: string;
  /** the Field's members to set: indexConfig when the file lists the field's indexes, ttlConfig when it asks for a TTL */
  updateMask: string[];
  body: { indexConfig?: { indexes: { queryScope: QueryScope; fields: IndexField[] }[] }; ttlConfig?: Record<string, never> };
}

/**
 * firestore.indexes.json (the file the Firestore emulator and the Firebase CLI
 * read), as gcloud arguments for the composite indexes and as Admin API
 * updates for the field overrides: gcloud cannot set a single-field index of
 * collection-group scope, and a field's indexes and TTL set in one update
 * cannot race each other.
 */
export function readFirestoreIndexes(root: string): { composite: CompositeIndex[]; fields: FieldOverride[] } {
  const file = JSON.parse(readFileSync(join(root, 'firestore.indexes.json'), 'utf8')) as IndexFile;
  const composite = file.indexes.map((index) => ({
    collectionGroup: index.collectionGroup,
    queryScope: index.queryScope === 'COLLECTION_GROUP' ? ('collection-group' as const) : ('collection' as const),
    fieldConfigs: index.fields.map((f) =>
      f.arrayConfig
        ? `field-path=${f.fieldPath},array-config=contains`
        : `field-path=${f.fieldPath},order=${(f.order ?? 'ASCENDING').toLowerCase()}`,
    ),
  }));
  const fields = (file.fieldOverrides ?? []).map((o): FieldOverride => {
    const body: FieldOverride['body'] = {};
    if (o.indexes) {
      body.indexConfig = {
        indexes: o.indexes.map(({ queryScope, order, arrayConfig }) => ({
          queryScope,
          fields: [arrayConfig ? { fieldPath: o.fieldPath, arrayConfig } : { fieldPath: o.fieldPath, order: order ?? 'ASCENDING' }],
        })),
      };
    }
    if (o.ttl) body.ttlConfig = {};
    return {
      collectionGroup: o.collectionGroup,
      field: o.fieldPath,
      updateMask: [...(o.indexes ? ['indexConfig'] : []), ...(o.ttl ? ['ttlConfig'] : [])],
      body,
    };
  });
  return { composite, fields };
}
