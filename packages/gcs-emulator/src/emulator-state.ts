import type { BucketStore } from './bucket-store';
import type { DataLayout } from './data-layout';
import type { FinalizedObjects } from './finalized-objects';
import type { RequestLog } from './request-log';
import type { SessionStore } from './session-store';
import type { SigningKey } from './signing-key';
import type { ObjectMetadata } from './object-metadata';

export interface EmulatorConfig {
  host: string;
  port: number;
  dataDir: string;
  sessionTtlSeconds: number;
  /** Browser origins allowed on the JSON API and downloads (`*` for any); sessions carry their own. */
  corsOrigins: string[];
  /** Where to POST a CloudEvent when an object is finalized. */
  finalizeUrl?: string;
  /** A file to append one line per request to (`-`: stderr). */
  requestLog?: string;
  /** A service-account JSON key file whose public key verifies V4-signed URLs. */
  signingCredentials?: string;
}

/** Everything a route needs. */
export interface EmulatorState {
  config: EmulatorConfig;
  layout: DataLayout;
  buckets: BucketStore;
  objects: FinalizedObjects;
  sessions: SessionStore;
  requestLog?: RequestLog;
  /** Verifies V4-signed URLs (from --signing-credentials). */
  signingKey?: SigningKey;
  /** Called once per newly finalized object; `base` is the URL clients use. */
  finalized(obj: ObjectMetadata, base: string): void;
}
