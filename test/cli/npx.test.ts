import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

// `npx files` from the repository root, as the README tells a newcomer after `npm ci`: npm links a
// workspace's bin only when its file exists at install time, which dist/ does not yet.
it('npx files --help works from the repository root', async () => {
  const { stdout } = await promisify(execFile)('npx', ['--no-install', 'files', '--help'], {
    cwd: join(__dirname, '..', '..'),
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
  });
  expect(stdout).toContain('Upload, download, list, rename and delete files of the Files API.');
}, 60_000);
