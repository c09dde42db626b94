// The function under test logs one JSON line per request to stdout; in a test
// run those lines bury the results. SHOW_FUNCTION_LOGS=1 keeps them. Tests that
// assert on logs spy on process.stdout.write themselves.
if (!process.env.SHOW_FUNCTION_LOGS) {
  const write = process.stdout.write.bind(process.stdout) as (chunk: unknown, ...rest: unknown[]) => boolean;
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]) =>
    typeof chunk === 'string' && chunk.startsWith('{"severity"') ? true : write(chunk, ...rest)) as typeof process.stdout.write;
}
