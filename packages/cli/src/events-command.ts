import type { FileEvent, FileEventType } from '@files-api/sdk';
import { clientFor, type CliConfig } from './config';
import { EXIT } from './exit-codes';

export interface EventsFlags {
  after?: string;
  type?: FileEventType[];
  follow?: boolean;
  json?: boolean;
}

/**
 * The organization's events after --after, oldest first: every page, then
 * (with --follow) each new one as it comes, until Ctrl-C. The last id printed
 * is the --after that resumes where this stopped.
 */
export async function eventsCommand(flags: EventsFlags, config: CliConfig, signal: AbortSignal): Promise<number> {
  const client = clientFor(config);
  const print = (event: FileEvent) => process.stdout.write(flags.json ? JSON.stringify(event) + '\n' : row(event));
  const query = { after: flags.after, type: flags.type, limit: 100, signal };
  if (!flags.follow) {
    for (let after = flags.after; ;) {
      const page = await client.listEvents({ ...query, after });
      page.events.forEach(print);
      after = page.next_after ?? after;
      if (!page.has_more) return EXIT.OK;
    }
  }
  try {
    for await (const event of client.followEvents(query)) print(event);
  } catch (error) {
    // Ctrl-C is how a follow ends.
    if (signal.aborted) return EXIT.OK;
    throw error;
  }
  return EXIT.OK;
}

function row(event: FileEvent): string {
  const file = event.data.file;
  return [event.created_at, event.type.padEnd(14), file.id, file.original_filename, event.id].join('  ') + '\n';
}
