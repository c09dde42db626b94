import { ConfigError, loadConfig } from '../../functions/config';
import { StartupError } from './startup-error';

/** The functions' own configuration check, run once here before any is started: each of the three would
 * otherwise refuse on its own, each with the framework's stack trace. */
export function checkFunctionConfig(env: NodeJS.ProcessEnv): void {
  try {
    loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    throw new StartupError(
      err.problems.length === 1
        ? err.problems[0]
        : `the functions' configuration has ${err.problems.length} problems:\n${err.problems.map((p) => `  ${p}`).join('\n')}`,
    );
  }
}
