import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The packages as a user installs them: packed tarballs in an empty project, nothing from this repository.
const ROOT = join(__dirname, '..', '..');
let app: string;

beforeAll(() => {
  app = mkdtempSync(join(tmpdir(), 'sdk-pack-'));
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--ignore-scripts', '-w', '@files-api/sdk', '-w', '@files-api/cli', '--pack-destination', app], {
      cwd: ROOT,
      encoding: 'utf8',
    }),
  ) as Array<{ filename: string }>;
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
  execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...packed.map((p) => `./${p.filename}`)], {
    cwd: app,
    stdio: 'ignore',
  });
}, 120_000);
afterAll(() => rmSync(app, { recursive: true, force: true }));

const node = (args: string[]) => execFileSync(process.execPath, args, { cwd: app, encoding: 'utf8' });

it('the SDK installs on its own and loads as CommonJS and as an ES module', () => {
  expect(
    node(['-e', 'const s = require("@files-api/sdk"); console.log(typeof s.FilesClient, typeof s.FilesApiError, typeof s.pathSource)']),
  ).toBe('function function function\n');
  expect(
    node([
      '--input-type=module',
      '-e',
      'import { FilesClient, StorageError } from "@files-api/sdk"; console.log(typeof FilesClient, typeof StorageError)',
    ]),
  ).toBe('function function\n');
});

it('the CLI installs its `files` bin', () => {
  expect(execFileSync(join(app, 'node_modules', '.bin', 'files'), ['--help'], { encoding: 'utf8' })).toMatch(/^Usage: files /);
});
