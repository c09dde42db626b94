import type { BucketStore } from './bucket-store';
import type { DataLayout } from './data-layout';
import type { ObjectStore } from './object-store';
import type { SessionStore } from './session-store';
import type { StoredObject } from './stored-object';

export interface EmulatorConfig {
  host: string;
  port: number;
  dataDir: string;
  sessionTtlSeconds: number;
  /** Browser origins allowed on the JSON API and downloads (`*` for any); sessions carry their own. */
  corsOrigins: string[];
  /** Where to POST a CloudEvent when an object is finalized. */
  finalizeUrl?: string;
}

/** Everything a route needs. */
export interface EmulatorState {
  config: EmulatorConfig;
  layout: DataLayout;
  buckets: BucketStore;
  objects: ObjectStore;
  sessions: SessionStore;
  /** Called once per newly finalized object; `base` is the URL clients use. */
  finalized(obj: StoredObject, base: string): void;
}
