import { callApi, type ApiRequest, type TransportOptions } from './api-transport.js';
import { FilesApiError } from './errors.js';
import { blobSource, isByteSource, type ByteSource } from './byte-source.js';
import { crc32cOf, type Crc32cHasher } from './crc32c.js';
import { eventsQuery, followEvents, type FollowEventsOptions, type ListEventsOptions } from './events.js';
import { downloadInto, type ByteSink } from './fetch-download.js';
import type { EventList, FileEvent } from './generated/contract.js';
import { mimeTypeFor } from './mime-type.js';
import { progressMeter, type Progress } from './progress.js';
import { retryPolicy, type RetryOptions } from './retry.js';
import { sendBytes } from './send-bytes.js';
import { OPERATIONS, type OperationId } from './generated/operations.js';
import type {
  RedeliverResponse,
  WebhookCreateRequest,
  WebhookDeliveryList,
  WebhookEndpoint,
  WebhookList,
  WebhookUpdateRequest,
} from './generated/contract.js';
import type {
  DownloadUrl,
  FileContent,
  FileList,
  FileObject,
  FileStatus,
  FileUpdate,
  UploadSession,
  UploadUrlRequest,
  UploadUrlResponse,
} from './types.js';

/**
 * Files up to this size go in one direct upload (POST …/files/upload), larger
 * ones through a resumable session, unless `directUploadMaxBytes` says
 * otherwise: the function's default cap (30 MiB of body, DIRECT_UPLOAD_MAX_BYTES)
 * less 64 KiB for the form's framing. A function with a lower cap answers 413,
 * and the client then goes on resumably.
 */
export const DIRECT_UPLOAD_MAX_FILE_BYTES = 30 * 1024 * 1024 - 64 * 1024;

export interface FilesClientOptions {
  /** the API's base URL, e.g. https://api.example.com (the /v1/organizations/… paths go below it) */
  baseUrl: string;
  apiKey: string;
  organizationId: string;
  retry?: RetryOptions;
  /** deadline of one request (an API call, a chunk, a stalled download read); default 120000 */
  requestTimeoutMs?: number;
  /** a fetch to use instead of the global one */
  fetch?: typeof fetch;
  /** files up to this size go in one request (the direct upload), larger ones resumably; default DIRECT_UPLOAD_MAX_FILE_BYTES, 0 always resumably */
  directUploadMaxBytes?: number;
}

export interface UploadOptions {
  /** the name to register; default: the file's own name */
  filename?: string;
  /** default: the Blob's type, else from the extension, else application/octet-stream */
  mimeType?: string;
  /**
   * Pin a CRC32C into the session so storage refuses bytes that differ:
   * `true` computes it first (seekable sources; the default), a string is one you have, `false` skips it.
   */
  crc32c?: boolean | string;
  /** bytes per request, a multiple of 256 KiB; default: the session's chunk_size_recommended */
  chunkSize?: number;
  /** default: a random UUID, so retries of upload-url within this call are safe */
  idempotencyKey?: string;
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  /** called once the session exists and before bytes are sent: store it to resume later */
  onSession?: (session: UploadSession) => void | Promise<void>;
  /** go on with a session started earlier instead of starting one */
  session?: UploadSession;
  /** what the file is for (a-z, 0-9, _); default user_upload */
  purpose?: string;
  /** up to 16 string pairs of your own */
  metadata?: Record<string, string>;
}

export interface DownloadOptions {
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
}

export interface ListOptions {
  status?: FileStatus;
  /** only files with this purpose */
  purpose?: string;
  /** only files whose name starts with this (any case, any Unicode composition); the pages then come in filename order */
  search?: string;
  /** files per page, 1–100 (default 50) */
  limit?: number;
  /** the first page to read (default 1) */
  page?: number;
  signal?: AbortSignal;
}

/** What uploadFile takes everywhere; the Node entry adds paths and Readables. */
export type UploadSource = Blob | ByteSource;

/** The Files API of one organization, as one API key sees it. */
export class FilesClient {
  protected transport: TransportOptions;
  readonly organizationId: string;
  private readonly directUploadMaxBytes: number;

  constructor(options: FilesClientOptions) {
    if (!options.baseUrl || !options.apiKey || !options.organizationId) {
      throw new TypeError('FilesClient needs baseUrl, apiKey and organizationId');
    }
    this.organizationId = options.organizationId;
    this.directUploadMaxBytes = options.directUploadMaxBytes ?? DIRECT_UPLOAD_MAX_FILE_BYTES;
    const fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.transport = {
      baseUrl: options.baseUrl,
      apiKey: options.apiKey,
      fetch: fetchFn,
      sessionFetch: fetchFn,
      retry: retryPolicy(options.retry),
      timeoutMs: options.requestTimeoutMs ?? 120_000,
    };
  }

  getFile(fileId: string, options: { signal?: AbortSignal } = {}): Promise<FileObject> {
    return this.call('getFile', { file_id: fileId }, { signal: options.signal });
  }

  /**
   * PATCH …/files/{file_id}: renames the file and/or merges `metadata` into its
   * own (a null value removes that key). Resolves with the File as it is now.
   */
  updateFile(fileId: string, change: FileUpdate, options: { signal?: AbortSignal } = {}): Promise<FileObject> {
    return this.call('updateFile', { file_id: fileId }, { body: change, signal: options.signal });
  }

  /** Deletes a file, or cancels an upload in progress. Harmless to repeat. */
  async deleteFile(fileId: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    await this.call('deleteFile', { file_id: fileId }, { signal: options.signal });
  }

  /**
   * One page at a time, newest first, until the last page: the first by number,
   * each next one by the previous answer's `next_page_token`, so a deep page
   * costs no more than the first and files added meanwhile are neither skipped nor repeated.
   */
  async *listFiles(options: ListOptions = {}): AsyncGenerator<FileList, void, undefined> {
    const filters = { limit: options.limit, status: options.status, purpose: options.purpose, search: options.search };
    let query: Record<string, string | number | undefined> = { ...filters, page: options.page ?? 1 };
    for (;;) {
      const answer: FileList = await this.call('listFiles', {}, { query, signal: options.signal });
      yield answer;
      if (!answer.has_more || answer.files.length === 0) return;
      // A server from before page tokens answers none: go on by page number.
      query = answer.next_page_token ? { ...filters, page_token: answer.next_page_token } : { ...filters, page: answer.page + 1 };
    }
  }

  /** One page of the organization's events after `options.after`, oldest first (docs/EVENTS.md). */
  listEvents(options: ListEventsOptions = {}): Promise<EventList> {
    return this.call('listEvents', {}, { query: eventsQuery(options), signal: options.signal });
  }

  /** Every event after `options.after`, then each new one as it comes (polling), until `signal` aborts. */
  followEvents(options: FollowEventsOptions = {}): AsyncGenerator<FileEvent, void, undefined> {
    return followEvents((page) => this.listEvents(page), options);
  }

  getDownloadUrl(fileId: string, options: { disposition?: 'attachment'; signal?: AbortSignal } = {}): Promise<DownloadUrl> {
    return this.call('getDownloadUrl', { file_id: fileId }, { query: { disposition: options.disposition }, signal: options.signal });
  }

  /** GET …/content: the file and a signed URL that reads it (an hour by default). */
  getFileContent(fileId: string, options: { disposition?: 'attachment'; signal?: AbortSignal } = {}): Promise<FileContent> {
    return this.call('getFileContent', { file_id: fileId }, { query: { disposition: options.disposition }, signal: options.signal });
  }

  /**
   * POST …/files/upload: the whole file in one multipart request, recorded
   * `uploaded` at once. Held in memory while it is sent, so meant for files
   * under the direct-upload cap; safe to retry under its Idempotency-Key.
   */
  async uploadDirect(
    source: UploadSource,
    options: Omit<UploadOptions, 'session' | 'onSession' | 'chunkSize' | 'crc32c'> = {},
  ): Promise<FileObject> {
    const bytes = await this.openSource(source);
    try {
      const filename = options.filename ?? bytes.name;
      if (!filename) throw new TypeError('uploadDirect needs a filename for a source that has none');
      const type = options.mimeType ?? bytes.type ?? mimeTypeFor(filename);
      const form = new FormData();
      if (options.purpose !== undefined) form.append('purpose', options.purpose);
      if (options.metadata !== undefined) form.append('metadata', JSON.stringify(options.metadata));
      form.append('file', new Blob([(await bytes.read(0, bytes.size)) as Uint8Array<ArrayBuffer>], { type }), filename);
      const report = progressMeter(bytes.size, options.onProgress);
      report(0);
      const file = await this.call<FileObject>(
        'uploadFile',
        {},
        {
          body: form,
          headers: { 'Idempotency-Key': options.idempotencyKey ?? globalThis.crypto.randomUUID() },
          signal: options.signal,
        },
      );
      report(bytes.size);
      return file;
    } finally {
      await bytes.close?.();
    }
  }

  /** upload-url: a resumable session for the file described. */
  async createUploadSession(
    request: UploadUrlRequest,
    options: { idempotencyKey?: string; signal?: AbortSignal } = {},
  ): Promise<UploadSession> {
    const answer: UploadUrlResponse = await this.call(
      'createUploadUrl',
      {},
      {
        body: request,
        headers: { 'Idempotency-Key': options.idempotencyKey ?? globalThis.crypto.randomUUID() },
        signal: options.signal,
      },
    );
    return {
      ...answer,
      filename: request.filename,
      mime_type: request.mime_type,
      file_size: request.file_size,
      ...(request.crc32c ? { crc32c: request.crc32c } : {}),
    };
  }

  /** register: storage is checked against the declaration, and the file becomes uploaded. */
  registerUpload(session: UploadSession, options: { signal?: AbortSignal } = {}): Promise<FileObject> {
    return this.call(
      'registerFile',
      {},
      {
        body: {
          filename: session.filename,
          gcs_path: session.gcs_path,
          file_size: session.file_size,
          mime_type: session.mime_type,
          file_id: session.file_id,
        },
        signal: options.signal,
      },
    );
  }

  /**
   * Uploads a file the whole way. Up to the direct-upload cap, one request
   * (uploadDirect); above it, or with `session`, `onSession` or `chunkSize`
   * (which need a resumable session): upload-url (with an
   * Idempotency-Key and, by default, a CRC32C computed first), the bytes in
   * chunks with retries and resume, then register. Resolves with the File object.
   */
  async uploadFile(source: UploadSource, options: UploadOptions = {}): Promise<FileObject> {
    const bytes = await this.openSource(source);
    try {
      // A session only when the caller asks for what needs one (resume, chunks) or the file is over the cap.
      const wantsSession = options.session !== undefined || options.onSession !== undefined || options.chunkSize !== undefined;
      if (!wantsSession && bytes.seekable && bytes.size > 0 && bytes.size <= this.directUploadMaxBytes) {
        try {
          return await this.uploadDirect(bytes, options);
        } catch (error) {
          // A function with a lower cap than assumed: the resumable way has none.
          if (!(error instanceof FilesApiError && error.code === 'FILE_TOO_LARGE' && error.status === 413)) throw error;
        }
      }
      let session = options.session;
      if (session && session.file_size !== bytes.size) {
        throw new TypeError(`the session is for ${session.file_size} bytes, the source has ${bytes.size}`);
      }
      const resumed = session !== undefined;
      if (!session) {
        const filename = options.filename ?? bytes.name;
        if (!filename) throw new TypeError('uploadFile needs a filename for a source that has none');
        const crc32c =
          options.crc32c === false
            ? undefined
            : typeof options.crc32c === 'string'
              ? options.crc32c
              : bytes.seekable
                ? await crc32cOf(bytes, options.signal)
                : undefined;
        session = await this.createUploadSession(
          {
            filename,
            file_size: bytes.size,
            mime_type: options.mimeType ?? bytes.type ?? mimeTypeFor(filename),
            ...(crc32c ? { crc32c } : {}),
            ...(options.purpose !== undefined ? { purpose: options.purpose } : {}),
            ...(options.metadata !== undefined ? { metadata: options.metadata } : {}),
          },
          { idempotencyKey: options.idempotencyKey, signal: options.signal },
        );
      }
      await options.onSession?.(session);
      await sendBytes({ ...this.transport, fetch: this.transport.sessionFetch }, session.upload_url, bytes, {
        chunkSize: options.chunkSize ?? session.chunk_size_recommended,
        startAt: resumed ? undefined : 0,
        signal: options.signal,
        onProgress: options.onProgress,
      });
      return await this.registerUpload(session, { signal: options.signal });
    } finally {
      await bytes.close?.();
    }
  }

  /** Goes on with a stored session: asks it what it has and sends only the rest. */
  resumeUpload(source: UploadSource, session: UploadSession, options: Omit<UploadOptions, 'session'> = {}): Promise<FileObject> {
    return this.uploadFile(source, { ...options, session });
  }

  /** Downloads an uploaded file into a WritableStream; resolves with its File object once the bytes are verified. */
  async downloadFile(fileId: string, destination: WritableStream<Uint8Array>, options: DownloadOptions = {}): Promise<FileObject> {
    const writer = destination.getWriter();
    try {
      const file = await this.downloadToSink(fileId, { write: (bytes) => writer.write(bytes) }, 0, options);
      await writer.close();
      return file;
    } catch (error) {
      await writer.abort(error).catch(() => undefined);
      throw error;
    }
  }

  protected async downloadToSink(
    fileId: string,
    sink: ByteSink,
    startAt: number,
    options: DownloadOptions & { hasher?: Crc32cHasher },
    known?: FileObject,
  ): Promise<FileObject> {
    const file = known ?? (await this.getFile(fileId, { signal: options.signal }));
    await downloadInto(this.transport, sink, {
      url: async () => (await this.getDownloadUrl(fileId, { signal: options.signal })).download_url,
      size: file.file_size,
      crc32c: file.crc32c,
      startAt,
      hasher: options.hasher,
      signal: options.signal,
      onProgress: options.onProgress,
    });
    return file;
  }

  /** Turns what the caller passed into bytes to read; the Node entry widens it. */
  protected async openSource(source: UploadSource): Promise<ByteSource> {
    if (isByteSource(source)) return source;
    if (typeof Blob !== 'undefined' && source instanceof Blob) return blobSource(source);
    throw new TypeError('uploadFile takes a Blob, a File or a ByteSource here (paths and streams need Node)');
  }

  /**
   * Owners and admins: a webhook endpoint; the answer's `secret` is shown this once. Sent under an
   * Idempotency-Key (a new one unless given), so the transport's retries never make a second endpoint.
   */
  createWebhook(request: WebhookCreateRequest, options: { idempotencyKey?: string; signal?: AbortSignal } = {}): Promise<WebhookEndpoint> {
    return this.call(
      'createWebhook',
      {},
      {
        body: request,
        headers: { 'Idempotency-Key': options.idempotencyKey ?? globalThis.crypto.randomUUID() },
        signal: options.signal,
      },
    );
  }

  async listWebhooks(options: { signal?: AbortSignal } = {}): Promise<WebhookEndpoint[]> {
    return (await this.call<WebhookList>('listWebhooks', {}, { signal: options.signal })).webhooks;
  }

  getWebhook(webhookId: string, options: { signal?: AbortSignal } = {}): Promise<WebhookEndpoint> {
    return this.call('getWebhook', { webhook_id: webhookId }, { signal: options.signal });
  }

  updateWebhook(webhookId: string, change: WebhookUpdateRequest, options: { signal?: AbortSignal } = {}): Promise<WebhookEndpoint> {
    return this.call('updateWebhook', { webhook_id: webhookId }, { body: change, signal: options.signal });
  }

  async deleteWebhook(webhookId: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    await this.call('deleteWebhook', { webhook_id: webhookId }, { signal: options.signal });
  }

  /** A new signing secret, in the answer's `secret`, shown this once. */
  rotateWebhookSecret(webhookId: string, options: { signal?: AbortSignal } = {}): Promise<WebhookEndpoint> {
    return this.call('rotateWebhookSecret', { webhook_id: webhookId }, { signal: options.signal });
  }

  async listWebhookDeliveries(webhookId: string, options: { signal?: AbortSignal } = {}): Promise<WebhookDeliveryList['deliveries']> {
    return (await this.call<WebhookDeliveryList>('listWebhookDeliveries', { webhook_id: webhookId }, { signal: options.signal }))
      .deliveries;
  }

  redeliverEvent(eventId: string, options: { signal?: AbortSignal } = {}): Promise<RedeliverResponse> {
    return this.call('redeliverEvent', { event_id: eventId }, { signal: options.signal });
  }

  /** One operation of the route table, its path parameters filled in. */
  protected call<T>(operation: OperationId, params: Record<string, string>, request: Omit<ApiRequest, 'method' | 'path'>): Promise<T> {
    const { method, path } = OPERATIONS[operation];
    const values: Record<string, string> = { organization_id: this.organizationId, ...params };
    const filled = path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(values[name]));
    return callApi<T>(this.transport, { ...request, method, path: filled });
  }
}
