import type { EmulatorConfig } from './emulator-state';

const USAGE =
  'usage: main.js --port P --data DIR [--host 127.0.0.1] [--session-ttl SECONDS] [--cors-origin ORIGIN]... [--on-finalize URL]';

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
      default:
        throw new Error(`unknown option ${flag}\n${USAGE}`);
    }
  }
  if (!Number.isInteger(config.port) || config.port < 0 || config.port > 65535) throw new Error(`--port needs a port number (0: any free port)\n${USAGE}`);
  if (!config.dataDir) throw new Error(`--data needs a directory\n${USAGE}`);
  if (!(config.sessionTtlSeconds > 0)) throw new Error(`--session-ttl needs a positive number of seconds\n${USAGE}`);
  return config;
}
