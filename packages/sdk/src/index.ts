export {
  DIRECT_UPLOAD_MAX_FILE_BYTES,
  FilesClient,
  type DownloadOptions,
  type FilesClientOptions,
  type ListOptions,
  type UploadOptions,
  type UploadSource,
} from './client.js';
export type { FileEventType, FollowEventsOptions, ListEventsOptions } from './events.js';
export { FILE_EVENT_TYPES, WEBHOOK_EVENT_TYPES } from './generated/event-types.js';
export type { EventList, FileEvent } from './generated/contract.js';
export { blobSource, streamSource, type ByteSource } from './byte-source.js';
export { crc32cHasher, type Crc32cHasher } from './crc32c.js';
export { FilesApiError, StorageError, type ErrorCode, type StorageErrorCode } from './errors.js';
export { formatBytes } from './format-bytes.js';
export { mimeTypeFor } from './mime-type.js';
export { verifyWebhook, type WebhookHeaders } from './verify-webhook.js';
export type { WebhookCreateRequest, WebhookEndpoint, WebhookUpdateRequest } from './generated/contract.js';
export type { Progress } from './progress.js';
export type { RetryOptions } from './retry.js';
// The public request and answer types: all of types.ts.
export type * from './types.js';
