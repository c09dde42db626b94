/** Two tiers. `npm test` runs the fast one: unit tests, and integration tests
 * against the emulators that global setup starts once on free ports (each test
 * file works in a project and bucket of its own). `npm run test:all` adds the
 * slow one: whole stacks started and stopped, spawned CLIs and third-party
 * clients, faults, fuzzing, races, the browser, the bundle and the deploy. */
const slow = [
  '/test/(faults|fuzz|concurrency|secrets|browser|bundle|cli)/.*\\.test\\.ts$',
  '/test/start/(start|fresh-clone|unclean-stops|running-stack)\\.test\\.ts$',
  '/test/deploy/(dry-run|run-script)\\.test\\.ts$',
  '/packages/gcs-emulator/test/(gcloud|google-clis|rclone|restart-and-resume|cli)\\.test\\.ts$',
  '/test/admin/cli\\.test\\.ts$',
  '/test/sdk/(pack|storage-restart)\\.test\\.ts$',
];

const project = {
  // Node's, and a worker whose Jest is gone exits (test/support/test-environment.ts).
  testEnvironment: '<rootDir>/test/support/test-environment.ts',
  roots: ['<rootDir>/test', '<rootDir>/packages/gcs-emulator/test'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  setupFiles: ['<rootDir>/test/support/quiet-function-logs.ts'],
};

module.exports = {
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60000,
  // A worker Jest asks to end has nothing open left (its 'exit' event fires within milliseconds), but on a
  // loaded machine it can take longer than Jest's default 500 ms to finish exiting: Jest then kills it and
  // prints "A worker process has failed to exit gracefully", a leak that is not one (docs/TESTING.md). A
  // worker that holds a handle past 5 s (a server, a socket, a long timer) is still killed and reported.
  workerGracefulExitTimeout: 5000,
  maxWorkers: 2,
  projects: [
    { ...project, displayName: 'fast', testMatch: ['**/*.test.ts'], testPathIgnorePatterns: slow },
    { ...project, displayName: 'slow', testRegex: slow },
  ],
};
