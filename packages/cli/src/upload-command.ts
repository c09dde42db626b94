import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { StorageError, type FileObject } from '@files-api/sdk';
import { clientFor, type CliConfig } from './config';
import { describe, exitCodeFor, EXIT } from './exit-codes';
import { progressView } from './progress-view';
import { defaultStateDir, pruneExpired, resumeStore, type ResumeKey } from './resume-state';

export interface UploadFlags {
  json?: boolean;
  checksum?: boolean;
  chunkSize?: number;
  mimeType?: string;
}

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
      try {
        const file = await uploadOne(path, label);
        process.stdout.write(flags.json ? JSON.stringify(file) + '\n' : `${label}: uploaded as ${file.id} (${file.file_size} bytes)\n`);
      } catch (error) {
        const code = exitCodeFor(error);
        if (code === EXIT.INTERRUPTED) {
          process.stderr.write(`${label}: interrupted; run the same command again to resume\n`);
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

  async function uploadOne(path: string, label: string): Promise<FileObject> {
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
    const common = {
      signal,
      chunkSize: flags.chunkSize,
      onProgress: line.update,
      onSession: (session: Parameters<typeof store.save>[1]) => store.save(key, session),
    };
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
          file = await client.uploadFile(absolutePath, { ...common, mimeType: flags.mimeType, crc32c: flags.checksum !== false });
        }
      } else {
        file = await client.uploadFile(absolutePath, { ...common, mimeType: flags.mimeType, crc32c: flags.checksum !== false });
      }
      await store.forget(key);
      return file;
    } catch (error) {
      // A refusal that no retry can fix leaves nothing to resume.
      if (error instanceof StorageError && error.code !== 'RETRIES_EXHAUSTED') await store.forget(key);
      throw error;
    } finally {
      line.stop();
    }
  }
}
