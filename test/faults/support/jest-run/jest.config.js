// A Jest run for test/faults/jest-killed.test.ts to kill: the repository's global setup (the emulators)
// and its test environment, two test files so that they run in two workers.
const { join } = require('node:path');
const base = require('../../../../jest.config.js');

const rootDir = join(__dirname, '..', '..', '..', '..');
module.exports = {
  ...base,
  rootDir,
  projects: [
    {
      ...base.projects[0],
      rootDir,
      displayName: 'killed',
      testMatch: ['<rootDir>/test/faults/support/jest-run/*.fixture.ts'],
      testPathIgnorePatterns: [],
    },
  ],
};
