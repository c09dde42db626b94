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
      projectId: 'demo-files-api',
      bucket: 'demo-files-api-uploads',
      localDir: join(repoRoot, '.local'),
    });
  });

  it('lets the environment override ports, project, bucket and the data directory', () => {
    const config = loadStackConfig(
      { FIRESTORE_PORT: '1111', STORAGE_PORT: '2222', FUNCTION_PORT: '3333', GOOGLE_CLOUD_PROJECT: 'p', FILES_BUCKET: 'b', LOCAL_DIR: '/tmp/x' },
      __dirname,
    );
    expect([config.firestore.port, config.storage.port, config.function.port]).toEqual([1111, 2222, 3333]);
    expect([config.projectId, config.bucket, config.localDir]).toEqual(['p', 'b', '/tmp/x']);
  });

  it.each(['abc', '0', '70000', '80.5'])('refuses FUNCTION_PORT=%s with one clear line', (value) => {
    expect(() => loadStackConfig({ FUNCTION_PORT: value }, __dirname)).toThrow(
      new StartupError(`FUNCTION_PORT=${JSON.stringify(value)}: must be a port number from 1 to 65535`),
    );
  });

  it('refuses two parts on one port', () => {
    expect(() => loadStackConfig({ STORAGE_PORT: '8080' }, __dirname)).toThrow(
      'STORAGE_PORT and FUNCTION_PORT are both 8080: each part needs a port of its own',
    );
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
