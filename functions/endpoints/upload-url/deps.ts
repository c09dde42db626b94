import type { Config } from '../../config';
import type { BackgroundWork } from '../../domain/background-work';
import type { Caller } from '../../domain/caller';
import type { FileRecords, Quotas, UploadSessions } from '../../domain/ports';

export interface UploadUrlDeps {
  config: Config;
  records: FileRecords;
  sessions: UploadSessions;
  quotas: Quotas;
  now?: () => number;
  /** What is undone after the answer (a late session, a late record write) runs here. */
  background: BackgroundWork;
}

export interface UploadUrlInput {
  organizationId: string;
  caller: Caller;
  body: unknown;
  /** The `Origin` header as received: checked here, not by the caller. */
  origin?: string;
  idempotencyKey?: string;
}
