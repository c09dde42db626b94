/** Unit and integration tests. Global setup starts the Firestore emulator and
 * the project's storage emulator on free ports; each test file works in a
 * project and bucket of its own. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  setupFiles: ['<rootDir>/test/support/quiet-function-logs.ts'],
  testTimeout: 60000,
  maxWorkers: 2,
};
