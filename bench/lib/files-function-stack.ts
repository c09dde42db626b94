import { join } from 'node:path';
import { freePort } from '../../emulator/free-port';
import { startEmulatorStack, type EmulatorStack } from './emulator-stack';
import { spawnFunction, untilServing, type FunctionProcess } from './function-process';
import { ROOT } from './paths';

export interface FilesFunctionStack {
  stack: EmulatorStack;
  /** the files function (dist/functions), serving */
  fn: FunctionProcess;
  /** stops the function, then the emulators */
  stop(): Promise<void>;
}

/**
 * The emulators and the built files function against them, answering: what a bench
 * that calls the API starts. `env` adds to (or overrides) the function's environment.
 */
export async function startFilesFunction(env: Record<string, string> = {}): Promise<FilesFunctionStack> {
  const stack = await startEmulatorStack();
  let fn: FunctionProcess | undefined;
  const stop = async () => {
    await fn?.stop();
    await stack.stop();
  };
  try {
    fn = spawnFunction({
      source: join(ROOT, 'dist', 'functions', 'index.js'),
      target: 'files',
      port: await freePort(),
      env: { ...stack.functionEnv, ...env },
    });
    await untilServing(fn);
    return { stack, fn, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
