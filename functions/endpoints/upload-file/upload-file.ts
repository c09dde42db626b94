import type { IncomingMessage } from 'node:http';
import type { Config } from '../../config';
import type { BackgroundWork } from '../../domain/background-work';
import { contentMismatch, SNIFF_BYTES } from '../../domain/content-sniff';
import { newFileId } from '../../domain/file-id';
import { toFileObject, type FileRecord } from '../../domain/file-record';
import { claimId, uploadFingerprint } from '../../domain/idempotency';
import { isoSeconds } from '../../domain/iso-time';
import { DIRECT_UPLOAD, gcsPath } from '../../domain/object-name';
import {
  DirectUploadSwept,
  IdempotencyKeyTaken,
  type FileRecords,
  type IdempotencyClaim,
  type MarkerVersion,
  type ObjectStore,
  type ObjectWriter,
  type Quotas,
  type StoredObject,
  type UsageRead,
} from '../../domain/ports';
import { BackendUnavailable } from '../../domain/backend-unavailable';
import { reserveUpload } from '../../domain/reserve-upload';
import { ApiError, unsupportedMediaType } from '../../errors/api-error';
import type { FileObject } from '../../generated/schema-types';
import { parseContentType } from '../../http/json-body';
import { quotaExceeded } from '../upload-url/start-upload';
import { checkIdempotencyKey } from '../upload-url/validate-request';
import { validFilePart, validFormFields, type FormLabels } from './form-fields';
import { receiveForm, type FilePart } from './receive-form';
import { keyInUse, replayUpload } from './replay-upload';
import { directUploadTooLarge } from './upload-errors';
import { UploadMarker, uploadSwept } from './upload-marker';
import { withHead } from './with-head';
import { filenameKey } from '../../domain/filename-key';

export interface UploadFileDeps {
  config: Config;
  records: FileRecords;
  objects: ObjectStore & ObjectWriter;
  quotas: Quotas;
  now?: () => number;
  /** Where a failure to remove a refused upload's object (left to the sweep) is reported. */
  background: BackgroundWork;
}

export interface UploadFileInput {
  organizationId: string;
  caller: { principalId: string; keyId: string };
  req: IncomingMessage;
  idempotencyKey?: string;
}

interface Stored {
  object: StoredObject;
  sentCrc32c: string;
  filename: string;
  mimeType: string;
  marker: MarkerVersion;
}

/**
 * POST …/files/upload: the form's file streams into its final object as it
 * arrives, then the record is written `uploaded` in one step. Whatever was
 * stored is removed on any refusal, so a refused upload leaves nothing.
 */
export async function uploadFile(deps: UploadFileDeps, input: UploadFileInput): Promise<{ status: 201; file: FileObject }> {
  checkIdempotencyKey(input.idempotencyKey);
  const type = input.req.headers['content-type'];
  if (parseContentType(type)?.essence !== 'multipart/form-data') throw multipartOnly(type);
  const cap = deps.config.directUploadMaxBytes;
  if (Number(input.req.headers['content-length']) > cap) throw directUploadTooLarge(cap);

  const fileId = newFileId();
  // The usage the reservation is judged on is read while the bytes arrive, as upload-url reads it while its
  // session starts: no round trip of its own after the last byte. A read made stale meanwhile only makes the
  // reservation's compare-and-set lose and read again; one that failed is made again then.
  const usageRead = deps.quotas.usage(input.organizationId).catch(() => undefined);
  let marker: UploadMarker | undefined;
  const store = async (part: FilePart): Promise<Stored> => {
    const { filename, mimeType } = validFilePart(part.filename, part.mimeType);
    const { head, bytes } = await withHead(part.bytes, SNIFF_BYTES);
    if (head.length === 0) throw new ApiError(400, 'INVALID_FIELD_VALUE', 'The file is empty', { field: 'file' });
    // A head shorter than the signatures need is the whole file.
    const sniffed = contentMismatch(mimeType, head, head.length < SNIFF_BYTES);
    if (sniffed) throw contentRefused(mimeType, sniffed);
    const objectName = gcsPath(input.organizationId, fileId, filename);
    const createdAt = isoSeconds((deps.now ?? Date.now)());
    marker = new UploadMarker(deps.records, { organizationId: input.organizationId, fileId, objectName, createdAt });
    const metadata = { file_id: fileId, organization_id: input.organizationId, upload: DIRECT_UPLOAD };
    const written = await deps.objects.write({ objectName, contentType: mimeType, metadata }, marker.before(bytes));
    return { ...written, filename, mimeType, marker: await marker.version() };
  };
  try {
    const { stored, fields } = await receiveForm(input.req, cap, store, validFormFields);
    const labels = validFormFields(fields);
    checkStored(stored, fileId);
    const answer = await record(deps, input, stored, labels, fileId, await usageRead);
    // A replay under the key: the first upload is the answer, this request's copy of its bytes goes.
    if (answer.file.id !== fileId) await marker?.discard(deps.objects, deps.background);
    return answer;
  } catch (error) {
    // A backend that failed may still apply the record's commit (past its deadline, or an unknown outcome):
    // the object stays with its marker, and the sweep, whose claim on the marker fails such a commit,
    // removes it once no record can name it. Removing it now could leave an `uploaded` record without bytes.
    if (!(error instanceof BackendUnavailable)) await marker?.discard(deps.objects, deps.background);
    throw error instanceof DirectUploadSwept ? uploadSwept() : error;
  }
}

/** The object is the one this request sent: its id, and storage's CRC32C the one of the bytes sent. */
function checkStored(stored: Stored, fileId: string): void {
  const { object, sentCrc32c } = stored;
  if (object.metadata.file_id !== fileId) throw contentFailed('file_id', fileId, object.metadata.file_id ?? null);
  if (object.crc32c !== sentCrc32c) throw contentFailed('crc32c', sentCrc32c, object.crc32c ?? null);
}

/** Quota, then the one write of the `uploaded` record (with its claim); a key already claimed answers its first upload. */
async function record(
  deps: UploadFileDeps,
  input: UploadFileInput,
  stored: Stored,
  labels: FormLabels,
  fileId: string,
  read: UsageRead | undefined,
): Promise<{ status: 201; file: FileObject }> {
  const { object } = stored;
  const now = (deps.now ?? Date.now)();
  const made: FileRecord = {
    id: fileId,
    object: 'file',
    organization_id: input.organizationId,
    original_filename: stored.filename,
    filename_key: filenameKey(stored.filename),
    file_size: object.size,
    mime_type: stored.mimeType,
    storage_path: object.name,
    status: 'uploaded',
    crc32c: object.crc32c ?? null,
    md5_hash: object.md5Hash ?? null,
    uploaded_by: input.caller.principalId,
    uploaded_by_api_key_id: input.caller.keyId,
    created_at: isoSeconds(now),
    uploaded_at: isoSeconds(now),
    // Never uploading: no session to expire (clients see null).
    expires_at: isoSeconds(now),
    session_uri: null,
    purpose: labels.purpose,
    metadata: labels.metadata,
  };
  // The reservation upload-url makes (domain/reserve-upload.ts), exact under concurrency, on the size storage reports.
  const create = async (claim?: IdempotencyClaim) => {
    const options = { claim, marker: stored.marker, giveUpMs: deps.config.backendTimeoutMs };
    // A refusal judged on the read made before the bytes is judged again on a fresh one: a delete may have made room since.
    let exceeded = await reserveUpload(deps, made, { ...options, read });
    if (exceeded && read) exceeded = await reserveUpload(deps, made, options);
    if (exceeded) throw quotaExceeded(exceeded);
  };
  const key = input.idempotencyKey;
  if (key === undefined) {
    await create();
    return { status: 201, file: toFileObject(made) };
  }
  const fingerprint = uploadFingerprint({
    filename: made.original_filename,
    file_size: made.file_size,
    mime_type: made.mime_type,
    crc32c: made.crc32c ?? '',
    purpose: labels.purpose,
    metadata: labels.metadata,
  });
  const claim = {
    keyHash: claimId(input.organizationId, input.caller.principalId, key),
    fingerprint,
    fileId,
    createdAt: made.created_at,
    expiresAt: isoSeconds(now + deps.config.idempotencyTtlSeconds * 1000),
  };
  for (let attempt = 0; ; attempt++) {
    try {
      await create(claim);
      return { status: 201, file: toFileObject(made) };
    } catch (error) {
      if (!(error instanceof IdempotencyKeyTaken)) throw error;
    }
    const first = await replayUpload(deps.records, input.organizationId, claim);
    if (first !== 'retry') return { status: 201, file: first };
    if (attempt >= 1) throw keyInUse();
  }
}

const multipartOnly = (type: string | undefined) => {
  const refused = unsupportedMediaType((type ?? '(none)').slice(0, 100));
  return new ApiError(415, refused.code, 'Request body must be a multipart/form-data form with a file part', refused.details);
};

const contentRefused = (declared: string, sniffed: string) =>
  new ApiError(422, 'UPLOAD_VERIFICATION_FAILED', `The file's first bytes are ${sniffed}, not ${declared}; nothing was stored`, {
    field: 'content',
    expected: declared,
    actual: sniffed,
  });

const contentFailed = (field: string, expected: unknown, actual: unknown) =>
  new ApiError(422, 'UPLOAD_VERIFICATION_FAILED', `The stored object does not match what was sent: ${field}; nothing was kept`, {
    field,
    expected,
    actual,
  });
