/**
 * A command as words, rendered for bash. A word is literal text (single-quoted
 * when it needs quoting) or a shell expansion known only when the script runs
 * (e.g. the Cloud Storage service agent's email), rendered inside double
 * quotes, with an example value tests substitute to have gcloud parse it.
 */
export type Word = string | { expand: string; example: string };
export type ShellCommand = Word[];

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

export function quote(word: string): string {
  return SAFE.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export function render(command: ShellCommand): string {
  return command.map((word) => (typeof word === 'string' ? quote(word) : `"${word.expand}"`)).join(' ');
}

/** The command as a process would receive it, expansions replaced by their examples. */
export function exampleArgv(command: ShellCommand): string[] {
  return command.map((word) => (typeof word === 'string' ? word : word.example));
}
