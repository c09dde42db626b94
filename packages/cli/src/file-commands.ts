import { FilesApiError, type FileObject, type FileStatus } from '@files-api/sdk';
import { clientFor, type CliConfig } from './config';
import { EXIT } from './exit-codes';
import { formatBytes } from './format';

export async function getCommand(fileId: string, config: CliConfig, signal: AbortSignal): Promise<number> {
  const file = await clientFor(config).getFile(fileId, { signal });
  process.stdout.write(JSON.stringify(file, null, 2) + '\n');
  return EXIT.OK;
}

/**
 * Deleting is harmless to repeat, so the API answers 204 either way; a file it does not find but still
 * deletes was deleted before, and is said to be.
 */
export async function removeCommand(fileId: string, config: CliConfig, signal: AbortSignal): Promise<number> {
  const client = clientFor(config);
  const before = await client.getFile(fileId, { signal }).then(
    (file) => file.status,
    (error: unknown) => {
      if (error instanceof FilesApiError && error.code === 'FILE_NOT_FOUND') return undefined;
      throw error;
    },
  );
  await client.deleteFile(fileId, { signal });
  const outcome = before === undefined ? 'already deleted' : before === 'uploading' ? 'upload cancelled' : 'deleted';
  process.stderr.write(`${fileId}: ${outcome}\n`);
  return EXIT.OK;
}

export interface ListFlags {
  status?: FileStatus;
  limit?: number;
  all?: boolean;
  json?: boolean;
}

/** One page (newest first) by default; --all walks every page. */
export async function listCommand(flags: ListFlags, config: CliConfig, signal: AbortSignal): Promise<number> {
  const pages = clientFor(config).listFiles({ status: flags.status, limit: flags.limit, signal });
  for await (const page of pages) {
    for (const file of page.files) process.stdout.write(flags.json ? JSON.stringify(file) + '\n' : row(file));
    if (!flags.all) {
      if (page.has_more && !flags.json) process.stderr.write(`(${page.total} files; --all lists every page)\n`);
      break;
    }
  }
  return EXIT.OK;
}

function row(file: FileObject): string {
  return (
    [file.id, file.status.padEnd(9), formatBytes(file.file_size).padStart(10), file.created_at, file.original_filename].join('  ') + '\n'
  );
}
