/**
 * What is written to stdout from now on (the function's log lines among it),
 * kept instead of printed, until `jest.restoreAllMocks()`: for tests that
 * assert on logs.
 */
export function captureStdout(): { text(): string; clear(): void } {
  let logged = '';
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    logged += chunk.toString();
    return true;
  });
  return {
    text: () => logged,
    clear: () => {
      logged = '';
    },
  };
}
