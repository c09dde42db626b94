import { parseArgs } from 'node:util';
import type { Command, CommandInput, OptionsConfig } from './commands/command';
import { COMMANDS, GROUPS } from './commands/index';
import { UsageError } from './errors';
import { commandHelp, groupHelp, topHelp, usageLine } from './help';

const COMMON_OPTIONS: OptionsConfig = {
  project: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

/** Every option any command knows, so the first pass keeps an option's value out of the positionals. */
const ALL_OPTIONS: OptionsConfig = Object.assign({}, COMMON_OPTIONS, ...COMMANDS.map((c) => c.options));

export type CommandLine =
  { kind: 'help'; text: string } | { kind: 'run'; command: Command; input: CommandInput; project: string | undefined };

/** Finds the command in `argv`, then parses `argv` strictly against that command's own options. */
export function parseCommandLine(argv: string[]): CommandLine {
  const loose = parseArgs({ args: argv, options: ALL_OPTIONS, allowPositionals: true, strict: false });
  const [group, name] = loose.positionals;
  const help = loose.values.help === true;
  if (group === undefined) {
    if (help) return { kind: 'help', text: topHelp() };
    throw new UsageError('missing command; run files-admin --help');
  }
  if (!GROUPS.includes(group)) throw new UsageError(`unknown command "${group}"; expected one of ${GROUPS.join(', ')}`);
  const inGroup = COMMANDS.filter((c) => c.group === group);
  if (name === undefined) {
    if (help) return { kind: 'help', text: groupHelp(group) };
    throw new UsageError(`missing ${group} command; expected one of ${inGroup.map((c) => c.name).join(', ')}`);
  }
  // A name may be several words ("limits set"): the longest that the positionals spell wins.
  const command = inGroup
    .filter((c) => c.name.split(' ').every((word, i) => loose.positionals[1 + i] === word))
    .sort((a, b) => b.name.length - a.name.length)[0];
  if (!command) {
    throw new UsageError(`unknown command "${group} ${name}"; expected one of ${inGroup.map((c) => c.name).join(', ')}`);
  }
  if (help) return { kind: 'help', text: commandHelp(command) };

  const strict = strictParse(argv, command);
  const positionals = strict.positionals.slice(1 + command.name.split(' ').length);
  const missing = command.args[positionals.length];
  if (missing) throw new UsageError(`missing <${missing.name}>; usage: ${usageLine(command)}`);
  if (positionals.length > command.args.length) {
    throw new UsageError(`unexpected argument "${positionals[command.args.length]}"; usage: ${usageLine(command)}`);
  }
  const args = Object.fromEntries(command.args.map((arg, i) => [arg.name, arg.check(positionals[i])]));
  const project = strict.values.project;
  if (project === '') throw new UsageError('--project must not be empty');
  return { kind: 'run', command, input: { args, values: strict.values }, project: typeof project === 'string' ? project : undefined };
}

function strictParse(argv: string[], command: Command) {
  try {
    return parseArgs({ args: argv, options: { ...COMMON_OPTIONS, ...command.options }, allowPositionals: true, strict: true });
  } catch (err) {
    // parseArgs reports unknown options and missing option values as TypeErrors with ERR_PARSE_ARGS_* codes.
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')) {
      // Its first sentence says what is wrong; the rest is advice about '--' that rarely applies.
      throw new UsageError(`${(err as Error).message.split('. ')[0]} (usage: ${usageLine(command)})`);
    }
    throw err;
  }
}
