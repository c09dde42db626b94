import type { EmulatorConfig } from './emulator-state';

const USAGE =
  'usage: gcs-emulator --port P --data DIR [--host 127.0.0.1] [--session-ttl SECONDS] [--cors-origin ORIGIN]... [--on-finalize URL] [--request-log FILE|-] [--signing-credentials FILE]';

/** What `--help` prints. */
export const HELP = `${USAGE}

The project's Cloud Storage emulator: the JSON API's buckets, objects, uploads
(media, multipart, resumable), compose, rewrite/copy, and V4-signed reads.

  --port P                   port to listen on (0: any free port)
  --data DIR                 where buckets, objects and sessions are kept
  --host ADDRESS             address to listen on (default 127.0.0.1)
  --session-ttl SECONDS      lifetime of an upload session (default one week)
  --cors-origin ORIGIN       browser origin allowed on the API (repeatable, or comma-separated; * for any)
  --on-finalize URL          POST a CloudEvent there for every finalized object
                             (also STORAGE_EMULATOR_FINALIZE_URL)
  --request-log FILE         append one line per request to FILE (- for stderr):
                             time, method, path (no upload ids or query values), status, bytes in/out, ms
  --signing-credentials FILE service-account JSON key (client_email, private_key) whose public key
                             verifies V4-signed URLs
  --help                     print this and exit

On start it prints one JSON line {"event":"listening","url":...} on stdout.`;

/** Whether the command line asks for the help text (wherever the flag stands). */
export function wantsHelp(argv: string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

const WEEK_SECONDS = 7 * 24 * 3600;

/** The emulator's configuration from its command line (and STORAGE_EMULATOR_FINALIZE_URL). */
export function parseArgs(argv: string[], env: NodeJS.ProcessEnv): EmulatorConfig {
  const config: EmulatorConfig = {
    host: '127.0.0.1',
    port: Number.NaN,
    dataDir: '',
    sessionTtlSeconds: WEEK_SECONDS,
    corsOrigins: [],
    ...(env.STORAGE_EMULATOR_FINALIZE_URL ? { finalizeUrl: env.STORAGE_EMULATOR_FINALIZE_URL } : {}),
  };
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
    i += 1;
    switch (flag) {
      case '--port':
        config.port = Number(value);
        break;
      case '--data':
        config.dataDir = value;
        break;
      case '--host':
        config.host = value;
        break;
      case '--session-ttl':
        config.sessionTtlSeconds = Number(value);
        break;
      case '--cors-origin':
        config.corsOrigins.push(...value.split(',').filter(Boolean));
        break;
      case '--on-finalize':
        config.finalizeUrl = value;
        break;
      case '--request-log':
        config.requestLog = value;
        break;
      case '--signing-credentials':
        config.signingCredentials = value;
        break;
      default:
        throw new Error(`unknown option ${flag}\n${USAGE}`);
    }
  }
  if (!Number.isInteger(config.port) || config.port < 0 || config.port > 65535)
    throw new Error(`--port needs a port number (0: any free port)\n${USAGE}`);
  if (!config.dataDir) throw new Error(`--data needs a directory\n${USAGE}`);
  if (!(config.sessionTtlSeconds > 0)) throw new Error(`--session-ttl needs a positive number of seconds\n${USAGE}`);
  return config;
}
