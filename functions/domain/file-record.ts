import type { FileObject } from '../generated/schema-types';
import type { Mismatch } from './verify-upload';

/** `organizations/{org}/files/{file_id}`: the File object, plus what only the server may see. */
export interface FileRecord extends FileObject {
  /** The resumable session URI: a capability, never returned after creation, never logged. */
  session_uri: string | null;
  failure_reason?: string;
  /** What the object contradicted, when verification failed. */
  verification_failure?: Mismatch;
}

/** The File object a client may see: the record without its private fields. */
export function toFileObject(record: FileRecord): FileObject {
  const { session_uri: _uri, failure_reason: _reason, verification_failure: _failure, ...file } = record;
  return file;
}
