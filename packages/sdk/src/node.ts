import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import { once } from 'node:events';
import type { ByteSource } from './byte-source.js';
import { FilesClient as BaseClient, type DownloadOptions, type FilesClientOptions, type UploadSource as BaseSource } from './client.js';
import { nodeSessionPut } from './node-session-put.js';
import { crc32cHasher } from './crc32c.js';
import { isReadable, pathSource, readableSource } from './node-sources.js';
import type { FileObject } from './types.js';

export * from './index.js';
export { pathSource, readableSource } from './node-sources.js';

/** A path, a Readable with its size, a Blob or File, or any ByteSource. */
export type UploadSource = BaseSource | string | { stream: Readable; size: number; name?: string; type?: string };

export interface PathDownloadOptions extends DownloadOptions {
  /** replace an existing file at the path (default false) */
  overwrite?: boolean;
}

/** The client with Node's sources and destinations: paths, Readables, Writables. */
export class FilesClient extends BaseClient {
  constructor(options: FilesClientOptions) {
    super(options);
    if (!options.fetch) this.transport = { ...this.transport, sessionFetch: nodeSessionPut };
  }

  protected override async openSource(source: UploadSource): Promise<ByteSource> {
    if (typeof source === 'string') return pathSource(source);
    if (isReadable(source)) throw new TypeError('pass a stream as { stream, size }: an upload must know its size');
    if (typeof source === 'object' && source !== null && isReadable((source as { stream?: unknown }).stream)) {
      const { stream, size, name, type } = source as { stream: Readable; size: number; name?: string; type?: string };
      return readableSource(stream, size, { name, type });
    }
    return super.openSource(source as BaseSource);
  }

  override uploadFile(source: UploadSource, options?: Parameters<BaseClient['uploadFile']>[1]): Promise<FileObject> {
    return super.uploadFile(source as BaseSource, options);
  }

  override resumeUpload(
    source: UploadSource,
    ...rest: Parameters<BaseClient['resumeUpload']> extends [unknown, ...infer R] ? R : never
  ): Promise<FileObject> {
    return super.resumeUpload(source as BaseSource, ...rest);
  }

  /**
   * Downloads to a path, a Node Writable, or a WritableStream. To a path, the
   * bytes go to `<path>.<file_id>.part` first, so a download cut short (even
   * by a crash) goes on from there when asked again, and the path appears
   * only once the bytes are verified.
   */
  override async downloadFile(
    fileId: string,
    destination: string | Writable | WritableStream<Uint8Array>,
    options: PathDownloadOptions = {},
  ): Promise<FileObject> {
    if (typeof destination === 'string') return this.downloadToPath(fileId, destination, options);
    if (destination instanceof WritableStream) return super.downloadFile(fileId, destination, options);
    const writable = destination;
    const file = await this.downloadToSink(fileId, { write: (bytes) => writeTo(writable, bytes) }, 0, options);
    writable.end();
    await once(writable, 'finish');
    return file;
  }

  private async downloadToPath(fileId: string, path: string, options: PathDownloadOptions): Promise<FileObject> {
    if (!options.overwrite && (await exists(path))) throw new Error(`${path} exists already (overwrite: true replaces it)`);
    const file = await this.getFile(fileId, { signal: options.signal });
    const part = `${path}.${createHash('sha256').update(fileId).digest('hex').slice(0, 12)}.part`;
    const hasher = await crc32cHasher();
    let have = (await exists(part)) ? (await stat(part)).size : 0;
    if (have > file.file_size) {
      await rm(part);
      have = 0;
    }
    for await (const piece of have > 0 ? createReadStream(part, { end: have - 1 }) : []) hasher.update(piece as Buffer);
    const handle = await open(part, have > 0 ? 'r+' : 'w');
    try {
      let position = have;
      await this.downloadToSink(
        fileId,
        {
          write: async (bytes) => {
            let written = 0;
            while (written < bytes.length)
              written += (await handle.write(bytes, written, bytes.length - written, position + written)).bytesWritten;
            position += bytes.length;
          },
        },
        have,
        { ...options, hasher },
        file,
      );
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(part, path);
    return file;
  }
}

async function writeTo(writable: Writable, bytes: Uint8Array): Promise<void> {
  if (!writable.write(bytes)) await once(writable, 'drain');
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
