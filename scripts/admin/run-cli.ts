import type { Firestore } from '@google-cloud/firestore';
import type { CommandContext } from './commands/command';
import { AdminError } from './errors';
import { explainFirestoreError, openFirestore, resolveTarget, type FirestoreTarget } from './firestore-target';
import { parseCommandLine } from './parse-command-line';

export interface CliIo {
  env: NodeJS.ProcessEnv;
  stdout(text: string): void;
  stderr(text: string): void;
}

/** Runs one files-admin command line and returns its exit code; errors leave as one line on stderr. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let target: FirestoreTarget | undefined;
  let db: Firestore | undefined;
  try {
    const line = parseCommandLine(argv);
    if (line.kind === 'help') {
      io.stdout(line.text);
      return 0;
    }
    const resolved = resolveTarget(io.env, line.project);
    target = resolved;
    const ctx: CommandContext = {
      db: async () => (db ??= await openFirestore(resolved)),
      print: io.stdout,
      note: io.stderr,
    };
    await line.command.run(ctx, line.input);
    return 0;
  } catch (err) {
    const failure = err instanceof AdminError ? err : target && explainFirestoreError(err, target);
    const message = failure?.message ?? (err instanceof Error ? err.message : String(err)).split('\n')[0];
    io.stderr(`files-admin: ${message}`);
    return failure?.exitCode ?? 1;
  } finally {
    // gRPC channels would otherwise keep the process alive.
    await db?.terminate();
  }
}
