import type { Config } from '../../config';
import type { Caller } from '../../domain/caller';
import type { FileRecords, Quotas, UploadSessions } from '../../domain/ports';

export interface UploadUrlDeps {
  config: Config;
  records: FileRecords;
  sessions: UploadSessions;
  quotas: Quotas;
  now?: () => number;
  /** Where failures of background work (compensation, session attach) are reported. */
  onBackgroundError?: (what: string, error: unknown) => void;
}

export interface UploadUrlInput {
  organizationId: string;
  caller: Caller;
  body: unknown;
  /** The `Origin` header as received: checked here, not by the caller. */
  origin?: string;
  idempotencyKey?: string;
}
