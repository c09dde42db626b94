import { WEBHOOK_EVENT_TYPES, type WebhookCreateRequest } from '@files-api/sdk';
import { Option, type Command } from 'commander';
import { clientFor, type CliConfig } from './config';
import { EXIT } from './exit-codes';

/** `files webhooks add|ls|rm`: the organization's webhook endpoints (owners and admins). */
export function addWebhookCommands(
  program: Command,
  run: (work: (config: CliConfig) => Promise<number>) => (command: Command) => void,
  signal: AbortSignal,
): void {
  const webhooks = program.command('webhooks').description("the organization's webhook endpoints (owners and admins)");

  webhooks
    .command('add')
    .description('send events to a URL; prints the signing secret, which is never shown again')
    .argument('<url>')
    .addOption(new Option('--event <type...>', 'only these event types (default: every type)').choices(WEBHOOK_EVENT_TYPES))
    .option('--description <text>')
    .action((url: string, _flags, command: Command) =>
      run(async (config) => {
        const { event, description } = command.opts<{ event?: string[]; description?: string }>();
        const created = await clientFor(config).createWebhook(
          { url, description, event_types: event as WebhookCreateRequest['event_types'] },
          { signal },
        );
        process.stdout.write(`${created.id}  ${created.url}\n`);
        // The secret goes to stdout alone on its line, so a script can keep it; the note to stderr.
        process.stdout.write(`${created.secret}\n`);
        process.stderr.write('keep the secret: it verifies signatures and is not shown again (rotate-secret makes a new one)\n');
        return EXIT.OK;
      })(command),
    );

  webhooks
    .command('ls')
    .description('list the endpoints')
    .option('--json', 'one JSON line per endpoint')
    .action((_flags, command: Command) =>
      run(async (config) => {
        const json = command.opts<{ json?: boolean }>().json;
        for (const w of await clientFor(config).listWebhooks({ signal })) {
          const state = w.enabled ? 'enabled' : `disabled (${w.disabled_reason})`;
          const types = w.event_types.length ? w.event_types.join(',') : 'all events';
          process.stdout.write(json ? JSON.stringify(w) + '\n' : `${w.id}  ${state.padEnd(8)}  ${w.url}  ${types}\n`);
        }
        return EXIT.OK;
      })(command),
    );

  webhooks
    .command('rm')
    .description('delete an endpoint')
    .argument('<webhook_id>')
    .action((id: string, _flags, command: Command) =>
      run(async (config) => {
        await clientFor(config).deleteWebhook(id, { signal });
        process.stderr.write(`${id}: deleted\n`);
        return EXIT.OK;
      })(command),
    );
}
