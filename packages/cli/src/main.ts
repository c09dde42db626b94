#!/usr/bin/env node
import { FILE_EVENT_TYPES } from '@files-api/sdk';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { resolveConfig, type GlobalFlags } from './config';
import { downloadCommand } from './download-command';
import { eventsCommand } from './events-command';
import { describe, exitCodeFor, EXIT } from './exit-codes';
import { getCommand, listCommand, removeCommand, renameCommand } from './file-commands';
import { collectMetadata } from './file-fields';
import { uploadCommand } from './upload-command';
import { addWebhookCommands } from './webhook-commands';

const STATUSES = ['uploading', 'uploaded', 'failed', 'cancelled', 'expired', 'deleted'];

function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number <= 0) throw new InvalidArgumentError('must be a positive integer');
  return number;
}

/** --type, repeated or comma-separated, each one checked. */
function eventTypes(value: string, previous: string[] = []): string[] {
  const types = value.split(',').filter((t) => t !== '');
  for (const type of types) {
    if (!(FILE_EVENT_TYPES as readonly string[]).includes(type))
      throw new InvalidArgumentError(`must be one of ${FILE_EVENT_TYPES.join(', ')}`);
  }
  return [...previous, ...types];
}

/** Ctrl-C (and SIGTERM) abort the work in hand, which keeps its resume state; a second one exits at once. */
function interruption(): AbortSignal {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(EXIT.INTERRUPTED);
    controller.abort(new DOMException('interrupted', 'AbortError'));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return controller.signal;
}

async function main(argv: string[]): Promise<number> {
  const signal = interruption();
  let outcome: Promise<number> = Promise.resolve(EXIT.OK);
  const program = new Command('files')
    .description('Upload, download, list, rename and delete files of the Files API.')
    .option('--api-url <url>', 'the API base URL (default: FILES_API_URL)')
    .option('--api-key <key>', 'the API key (default: FILES_API_KEY; prefer it: flags show in process lists)')
    .option('--org <organization_id>', 'the organization (default: FILES_ORG)')
    .exitOverride()
    .showHelpAfterError();
  const run = (work: (config: ReturnType<typeof resolveConfig>) => Promise<number>) => (command: Command) => {
    outcome = Promise.resolve().then(() => work(resolveConfig(command.optsWithGlobals<GlobalFlags>())));
  };

  program
    .command('upload')
    .description(
      'upload files, with progress: a small file in one request, a larger one resumably (an interrupted one resumes when run again)',
    )
    .argument('<path...>', 'files to upload')
    .option('--json', 'print each File object as one JSON line')
    .option('--no-checksum', 'do not pin a CRC32C (skips reading the file once before sending)')
    .option('--mime-type <type>', 'the type to declare (default: from the extension)')
    .option('--purpose <purpose>', 'what the files are for: a-z, 0-9 and _ (default: user_upload)')
    .option('--metadata <key=value>', 'a string pair of your own to keep with each file; repeat for more (up to 16)', collectMetadata)
    .option(
      '--chunk-size <bytes>',
      "bytes per request, a multiple of 256 KiB (default: the API's recommendation); sends even a small file resumably",
      positiveInteger,
    )
    .action((paths: string[], _flags, command: Command) => run((config) => uploadCommand(paths, command.opts(), config, signal))(command));

  program
    .command('download')
    .description('download a file, verified against its checksum; resumes a download cut short')
    .argument('<file_id>')
    .option('-o, --output <path>', 'where to write it (default: its original filename, here)')
    .option('-f, --force', 'replace an existing file')
    .option('--json', 'print the File object and the path as one JSON line')
    .action((fileId: string, _flags, command: Command) =>
      run((config) => downloadCommand(fileId, command.opts(), config, signal))(command),
    );

  program
    .command('ls')
    .description('list files, newest first (by name with --search); an upload in progress shows how far it has got')
    .addOption(new Option('--status <status>', 'only files in this state').choices(STATUSES))
    .option('--search <prefix>', 'only files whose name starts with this (any case)')
    .option('--purpose <purpose>', 'only files with this purpose')
    .option('--limit <n>', 'files per page (1-100)', positiveInteger)
    .option('--all', 'every page, not only the first')
    .option('--json', 'one JSON line per file')
    .action((_flags, command: Command) => run((config) => listCommand(command.opts(), config, signal))(command));

  program
    .command('get')
    .description('print one File object')
    .argument('<file_id>')
    .action((fileId: string, _flags, command: Command) => run((config) => getCommand(fileId, config, signal))(command));

  program
    .command('mv')
    .description('rename a file (its bytes stay where they are; downloads take the new name)')
    .argument('<file_id>')
    .argument('<new_name>')
    .action((fileId: string, newName: string, _flags, command: Command) =>
      run((config) => renameCommand(fileId, newName, config, signal))(command),
    );

  program
    .command('rm')
    .description('delete a file, or cancel its upload')
    .argument('<file_id>')
    .action((fileId: string, _flags, command: Command) => run((config) => removeCommand(fileId, config, signal))(command));

  program
    .command('events')
    .description("list the organization's events (every change of a file), oldest first; --follow waits for new ones")
    .option('--after <event_id>', 'only events after this one (resume where an earlier run stopped)')
    .option('--type <type>', `only events of this type (repeat, or comma-separate): ${FILE_EVENT_TYPES.join(', ')}`, eventTypes)
    .option('--follow', 'keep polling for new events until Ctrl-C')
    .option('--json', 'one JSON line per event')
    .action((_flags, command: Command) => run((config) => eventsCommand(command.opts(), config, signal))(command));

  addWebhookCommands(program, run, signal);

  try {
    await program.parseAsync(argv);
    return await outcome;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help'
        ? EXIT.OK
        : EXIT.USAGE;
    }
    const code = exitCodeFor(error);
    process.stderr.write(code === EXIT.INTERRUPTED ? 'interrupted\n' : `files: ${describe(error)}\n`);
    return code;
  }
}

main(process.argv).then((code) => {
  process.exitCode = code;
});
