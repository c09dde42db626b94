import { FilesApiError, formatBytes, type FileObject, type FileStatus } from '@files-api/sdk';
import { clientFor, type CliConfig } from './config';
import { EXIT } from './exit-codes';

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

/** Renames a file (PATCH): its object keeps its path; downloads are named after the new name. */
export async function renameCommand(fileId: string, newName: string, config: CliConfig, signal: AbortSignal): Promise<number> {
  const file = await clientFor(config).updateFile(fileId, { filename: newName }, { signal });
  process.stderr.write(`${fileId}: renamed to ${file.original_filename}\n`);
  return EXIT.OK;
}

export interface ListFlags {
  status?: FileStatus;
  search?: string;
  purpose?: string;
  limit?: number;
  all?: boolean;
  json?: boolean;
}

/** One page (newest first, or by name with --search) by default; --all walks every page. */
export async function listCommand(flags: ListFlags, config: CliConfig, signal: AbortSignal): Promise<number> {
  const { status, search, purpose, limit } = flags;
  const pages = clientFor(config).listFiles({ status, search, purpose, limit, signal });
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
  return [file.id, file.status.padEnd(9), size(file).padStart(10), file.created_at, file.original_filename].join('  ') + '\n';
}

/** An upload in progress shows how far it has got, when storage said (bytes_received). */
function size(file: FileObject): string {
  if (file.bytes_received === undefined) return formatBytes(file.file_size);
  return `${Math.floor((file.bytes_received / Math.max(file.file_size, 1)) * 100)}% of ${formatBytes(file.file_size)}`;
}
