import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { FilesApiError, StorageError, type FileObject } from '@files-api/sdk';
import { checksumOf } from './checksum';
import { clientFor, type CliConfig } from './config';
import { describe, exitCodeFor, EXIT } from './exit-codes';
import { progressView } from './progress-view';
import { defaultStateDir, pruneExpired, resumeStore, type ResumeKey } from './resume-state';

export interface UploadFlags {
  json?: boolean;
  checksum?: boolean;
  chunkSize?: number;
  mimeType?: string;
  purpose?: string;
  metadata?: Record<string, string>;
}

/**
 * Files up to this size go in one direct upload (no session, so nothing to
 * resume), as the SDK sends them by default; its own cap (30 MiB less the
 * form's framing) is the same, and a function with a lower one answers 413,
 * upon which the SDK goes on resumably.
 */
export const DIRECT_UPLOAD_MAX_FILE_BYTES = 30 * 1024 * 1024 - 64 * 1024;

/**
 * Uploads each path in turn. A path whose upload was interrupted before goes
 * on from its stored session; a finished upload forgets it. Returns the exit
 * code: 0, or that of the first failure (the other paths are still tried).
 */
export async function uploadCommand(paths: string[], flags: UploadFlags, config: CliConfig, signal: AbortSignal): Promise<number> {
  const client = clientFor(config);
  const stateDir = defaultStateDir();
  await pruneExpired(stateDir);
  const store = resumeStore(stateDir);
  const view = progressView();
  let exitCode: number = EXIT.OK;
  try {
    for (const path of paths) {
      if (signal.aborted) return EXIT.INTERRUPTED;
      const label = basename(path);
      const saved = { session: false };
      try {
        const file = await uploadOne(path, label, saved);
        process.stdout.write(flags.json ? JSON.stringify(file) + '\n' : `${label}: uploaded as ${file.id} (${file.file_size} bytes)\n`);
      } catch (error) {
        const code = exitCodeFor(error);
        if (code === EXIT.INTERRUPTED) {
          // Before the session exists (the checksum pass) there is nothing to resume.
          process.stderr.write(`${label}: interrupted${saved.session ? '; run the same command again to resume' : ''}\n`);
          return code;
        }
        process.stderr.write(`${label}: ${describe(error)}\n`);
        if (exitCode === EXIT.OK) exitCode = code;
      }
    }
  } finally {
    view.stop();
  }
  return exitCode;

  async function uploadOne(path: string, label: string, saved: { session: boolean }): Promise<FileObject> {
    const absolutePath = resolve(path);
    const facts = await stat(absolutePath);
    const key: ResumeKey = {
      apiUrl: config.apiUrl,
      organizationId: config.organizationId,
      absolutePath,
      size: facts.size,
      mtimeMs: facts.mtimeMs,
    };
    const stored = await store.load(key);
    const line = view.start(label, facts.size);
    const described = { purpose: flags.purpose, metadata: flags.metadata };
    if (!stored && flags.chunkSize === undefined && facts.size > 0 && facts.size <= DIRECT_UPLOAD_MAX_FILE_BYTES) {
      try {
        // No onSession: the SDK sends it in one request (and computes a CRC32C only if it must fall back).
        return await client.uploadFile(absolutePath, {
          ...described,
          signal,
          mimeType: flags.mimeType,
          crc32c: flags.checksum === false ? false : undefined,
          onProgress: line.update,
        });
      } finally {
        line.stop();
      }
    }
    const common = {
      signal,
      chunkSize: flags.chunkSize,
      onProgress: line.update,
      onSession: async (session: Parameters<typeof store.save>[1]) => {
        await store.save(key, session);
        saved.session = true;
      },
    };
    const fresh = async () => ({
      ...common,
      ...described,
      mimeType: flags.mimeType,
      crc32c: flags.checksum === false ? false : await checksumOf(absolutePath, facts.size, signal, line.checksum),
    });
    try {
      let file: FileObject;
      if (stored) {
        line.note('resuming a stored upload session');
        try {
          file = await client.resumeUpload(absolutePath, stored, common);
        } catch (error) {
          if (!(error instanceof StorageError && error.code === 'SESSION_GONE')) throw error;
          line.note('the stored session is gone; starting again');
          await store.forget(key);
          file = await client.uploadFile(absolutePath, await fresh());
        }
      } else {
        file = await client.uploadFile(absolutePath, await fresh());
      }
      await store.forget(key);
      return file;
    } catch (error) {
      // A refusal that no retry can fix leaves nothing to resume: storage said no, or register refused
      // the upload for good (422: the file failed verification, or the declaration contradicts its record).
      const final =
        (error instanceof StorageError && error.code !== 'RETRIES_EXHAUSTED') || (error instanceof FilesApiError && error.status === 422);
      if (final) await store.forget(key);
      throw error;
    } finally {
      line.stop();
    }
  }
}
