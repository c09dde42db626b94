import type { FileObject } from '../generated/schema-types';
import type { Mismatch } from './verify-upload';

/** `organizations/{org}/files/{file_id}`: the File object, plus what only the server may see. */
export interface FileRecord extends FileObject {
  /** The resumable session URI: a capability, never returned after creation, never logged. */
  session_uri: string | null;
  failure_reason?: string;
  /** What the object contradicted, when verification failed. */
  verification_failure?: Mismatch;
  /**
   * Set by every move out of `uploading`/`uploaded` except completion: the
   * session (if any) and the object may still exist, and the sweeper removes
   * them, then clears this and the URI.
   */
  leftovers?: boolean;
}

/** The File object a client may see: the record without its private fields. */
export function toFileObject(record: FileRecord): FileObject {
  const { session_uri: _uri, failure_reason: _reason, verification_failure: _failure, leftovers: _leftovers, ...file } = record;
  return file;
}
