import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadStackConfig } from '../../scripts/local-stack/stack-config';
import { StartupError } from '../../scripts/local-stack/startup-error';

const repoRoot = join(__dirname, '..', '..');

describe('loadStackConfig', () => {
  it("takes ports from firebase.json's emulators section, with the documented defaults", () => {
    const config = loadStackConfig({}, __dirname);
    expect(config).toMatchObject({
      repoRoot,
      firestore: { host: '127.0.0.1', port: 8085, portEnv: 'FIRESTORE_PORT' },
      storage: { host: '127.0.0.1', port: 9199, portEnv: 'STORAGE_PORT' },
      function: { host: '127.0.0.1', port: 8080, portEnv: 'FUNCTION_PORT' },
      finalize: { host: '127.0.0.1', port: 8081, portEnv: 'FINALIZE_PORT' },
      sweep: { host: '127.0.0.1', port: 8082, portEnv: 'SWEEP_PORT' },
      sweepIntervalSeconds: 60,
      projectId: 'demo-files-api',
      bucket: 'demo-files-api-uploads',
      localDir: join(repoRoot, '.local'),
    });
  });

  it('lets the environment override ports, the sweep interval, project, bucket and the data directory', () => {
    const config = loadStackConfig(
      {
        FIRESTORE_PORT: '1111',
        STORAGE_PORT: '2222',
        FUNCTION_PORT: '3333',
        FINALIZE_PORT: '4444',
        SWEEP_PORT: '5555',
        SWEEP_INTERVAL_SECONDS: '0',
        GOOGLE_CLOUD_PROJECT: 'p',
        FILES_BUCKET: 'b',
        LOCAL_DIR: '/tmp/x',
      },
      __dirname,
    );
    expect([config.firestore.port, config.storage.port, config.function.port, config.finalize.port, config.sweep.port]).toEqual([
      1111, 2222, 3333, 4444, 5555,
    ]);
    expect(config.sweepIntervalSeconds).toBe(0);
    expect([config.projectId, config.bucket, config.localDir]).toEqual(['p', 'b', '/tmp/x']);
  });

  it.each(['abc', '0', '70000', '80.5'])('refuses FUNCTION_PORT=%s with one clear line', (value) => {
    expect(() => loadStackConfig({ FUNCTION_PORT: value }, __dirname)).toThrow(
      new StartupError(`FUNCTION_PORT=${JSON.stringify(value)}: must be a port number from 1 to 65535`),
    );
  });

  it.each(['abc', '-1', '1.5', '86401'])('refuses SWEEP_INTERVAL_SECONDS=%s with one clear line', (value) => {
    expect(() => loadStackConfig({ SWEEP_INTERVAL_SECONDS: value }, __dirname)).toThrow(
      new StartupError(`SWEEP_INTERVAL_SECONDS=${JSON.stringify(value)}: must be a whole number of seconds from 0 (no sweeps) to 86400`),
    );
  });

  it.each([
    [{ STORAGE_PORT: '8080' }, 'STORAGE_PORT and FUNCTION_PORT are both 8080'],
    [{ FINALIZE_PORT: '9199' }, 'STORAGE_PORT and FINALIZE_PORT are both 9199'],
    [{ SWEEP_PORT: '8081' }, 'FINALIZE_PORT and SWEEP_PORT are both 8081'],
  ])('refuses two parts on one port (%j)', (env, names) => {
    expect(() => loadStackConfig(env, __dirname)).toThrow(`${names}: each part needs a port of its own`);
  });

  it('says which entry firebase.json lacks', () => {
    const root = mkdtempSync(join(tmpdir(), 'files-api-config-'));
    try {
      writeFileSync(join(root, 'firebase.json'), JSON.stringify({ emulators: { firestore: { port: 1 }, storage: { port: 2 } } }));
      mkdirSync(join(root, 'scripts'));
      expect(() => loadStackConfig({}, join(root, 'scripts'))).toThrow('firebase.json has no emulators.functions.port');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
