import { TestEnvironment } from 'jest-environment-node';
import { onParentGone } from '../../scripts/processes';

// Jest's node environment, and one thing more: a worker exits once its Jest is gone. Jest's workers do not
// watch for that, so a Jest killed mid-run (SIGINT to it alone, SIGTERM, SIGKILL) left them running their
// test files to the end, against emulators already stopped (those watch their lifeline). The watch is a
// poll of the parent pid, not a 'disconnect' listener: that would hold the IPC channel open, and a worker
// Jest asks to end would no longer exit by itself. This module runs in the worker itself, once: a test
// file's `process` is a copy whose events never fire.
if (process.connected) onParentGone(() => process.exit(1), { watchStdin: false });

export default TestEnvironment;
