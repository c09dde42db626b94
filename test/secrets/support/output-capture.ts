/** Everything this process writes to stdout and stderr from `start` to `stop`, split into lines (the function's
 * logs, the framework's, and a child emulator's stderr, which its launcher forwards). */
export class OutputCapture {
  readonly lines: string[] = [];
  private partial = '';
  private readonly original = { out: process.stdout.write, err: process.stderr.write };

  start(): void {
    const tee = (stream: NodeJS.WriteStream, original: typeof process.stdout.write) =>
      ((chunk: unknown, ...rest: unknown[]) => {
        this.take(typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk));
        return (original as (...a: unknown[]) => boolean).call(stream, chunk, ...rest);
      }) as typeof process.stdout.write;
    process.stdout.write = tee(process.stdout, this.original.out);
    process.stderr.write = tee(process.stderr, this.original.err);
  }

  stop(): void {
    process.stdout.write = this.original.out;
    process.stderr.write = this.original.err;
    if (this.partial) this.lines.push(this.partial);
    this.partial = '';
  }

  private take(text: string): void {
    const parts = (this.partial + text).split('\n');
    this.partial = parts.pop() ?? '';
    this.lines.push(...parts.filter((l) => l.length));
  }
}

/** Lines that carry any of `secrets`, as `what: line` (the secret itself elided). */
export function linesCarrying(lines: string[], secrets: Record<string, string[]>): string[] {
  const found: string[] = [];
  for (const line of lines) {
    for (const [what, values] of Object.entries(secrets)) {
      for (const value of values) {
        if (value && line.includes(value)) found.push(`${what}: ${line.split(value).join('«…»').slice(0, 300)}`);
      }
    }
  }
  return found;
}
