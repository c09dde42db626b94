import type { Command } from './commands/command';
import { COMMANDS } from './commands/index';

const COMMON_OPTION_HELP: [string, string][] = [
  ['--project P', 'Google Cloud project (default: $GOOGLE_CLOUD_PROJECT)'],
  ['-h, --help', 'show help for the command before it'],
];

const FOOTER = [
  'Firestore: the emulator at $FIRESTORE_EMULATOR_HOST when set, else project --project or $GOOGLE_CLOUD_PROJECT on Google Cloud, with application-default credentials.',
  'Exit codes: 0 done, 1 other failure, 2 bad usage, 3 not found, 4 already exists.',
].join('\n');

export function usageLine(command: Command): string {
  const args = command.args.map((a) => `<${a.name}>`);
  const options = command.optionHelp.map(([flag]) => `[${flag}]`);
  return ['files-admin', command.group, command.name, ...args, ...options].join(' ');
}

function table(rows: [string, string][]): string {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`).join('\n');
}

function commandRows(commands: Command[]): [string, string][] {
  return commands.map((c) => [usageLine(c).replace(/^files-admin /, ''), c.summary]);
}

export function topHelp(): string {
  return [
    'Usage: files-admin <group> <command> [arguments] [options]',
    '',
    'Manages the organizations, memberships and API keys of the files API.',
    '',
    'Commands:',
    table(commandRows(COMMANDS)),
    '',
    'Options:',
    table(COMMON_OPTION_HELP),
    '',
    FOOTER,
  ].join('\n');
}

export function groupHelp(group: string): string {
  return [
    `Usage: files-admin ${group} <command> [arguments] [options]`,
    '',
    'Commands:',
    table(commandRows(COMMANDS.filter((c) => c.group === group))),
    '',
    'Options:',
    table(COMMON_OPTION_HELP),
  ].join('\n');
}

export function commandHelp(command: Command): string {
  return [
    `Usage: ${usageLine(command)}`,
    '',
    `${command.summary[0].toUpperCase()}${command.summary.slice(1)}.`,
    '',
    'Options:',
    table([...command.optionHelp, ...COMMON_OPTION_HELP]),
    '',
    FOOTER,
  ].join('\n');
}
