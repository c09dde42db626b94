import type { ParseArgsConfig } from 'node:util';
import type { Firestore } from '@google-cloud/firestore';

export type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** What a command may use: Firestore (opened on first use) and the two output streams. */
export interface CommandContext {
  db(): Promise<Firestore>;
  /** stdout: the command's result */
  print(text: string): void;
  /** stderr: notes for the person at the terminal */
  note(text: string): void;
}

/** A required positional argument, checked before Firestore is opened so bad input is exit 2 whatever the network does. */
export interface Arg {
  name: string;
  check(value: string): string;
}

export interface CommandInput {
  /** positional arguments by their names in `Command.args` */
  args: Record<string, string>;
  /** option values as parseArgs gives them */
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
}

export interface Command {
  group: string;
  name: string;
  args: Arg[];
  options: OptionsConfig;
  /** `[flag with its value, what it does]`, for --help */
  optionHelp: [string, string][];
  summary: string;
  run(ctx: CommandContext, input: CommandInput): Promise<void>;
}

export function stringValue(values: CommandInput['values'], name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}
