import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { clientFor, type CliConfig } from './config';
import { EXIT, UsageError } from './exit-codes';
import { progressView } from './progress-view';

export interface DownloadFlags {
  output?: string;
  force?: boolean;
  json?: boolean;
}

/** Downloads a file to --output (default: its original filename here), verified against its CRC32C. */
export async function downloadCommand(fileId: string, flags: DownloadFlags, config: CliConfig, signal: AbortSignal): Promise<number> {
  const client = clientFor(config);
  const file = await client.getFile(fileId, { signal });
  const output = resolve(flags.output ?? safeName(file.original_filename));
  // Said in the CLI's terms before any byte moves; the SDK still refuses at the write itself.
  if (!flags.force && existsSync(output)) throw new UsageError(`${output} exists already: --force replaces it`);
  const view = progressView();
  const line = view.start(basename(output), file.file_size);
  try {
    await client.downloadFile(fileId, output, { signal, overwrite: flags.force === true, onProgress: line.update });
  } finally {
    line.stop();
    view.stop();
  }
  process.stdout.write(flags.json ? JSON.stringify({ ...file, path: output }) + '\n' : `${output}\n`);
  return EXIT.OK;
}

/** The original filename as a name in this directory: never a path, never hidden by a leading dot trick,
 * and without control or format characters (a bidi override would make it read as another name). */
function safeName(filename: string): string {
  const name = basename(filename.replace(/\\/g, '/')).replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '_');
  return name === '' || name === '.' || name === '..' ? 'download' : name;
}
