#!/usr/bin/env node
import { runCli } from './admin/run-cli';

// google-auth rejects a missing-credentials lookup outside the promise the command awaits.
process.on('unhandledRejection', (err) => {
  process.stderr.write(`files-admin: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}\n`);
  process.exit(1);
});

runCli(process.argv.slice(2), {
  env: process.env,
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
}).then((code) => {
  process.exitCode = code;
});
