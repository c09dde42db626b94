/**
 * What `npm start` shows of a function's structured log line: one short line a person reads (time,
 * method, path, status, duration), where production keeps the Cloud Logging JSON. The full JSON line
 * goes to `.local/functions.log`. The path is the one the function logged: no query string, secrets
 * already redacted.
 */
export function shortLine(line: string, at: Date = new Date()): string {
  let entry: { severity?: unknown; message?: unknown; error_code?: unknown; httpRequest?: Record<string, unknown> };
  try {
    entry = JSON.parse(line) as typeof entry;
  } catch {
    return line;
  }
  if (typeof entry !== 'object' || entry === null) return line;
  const time = at.toTimeString().slice(0, 8);
  const request = entry.httpRequest;
  if (request) {
    const latency = Number.parseFloat(String(request.latency));
    const took = Number.isFinite(latency) ? ` ${Math.round(latency * 1000)} ms` : '';
    const code = typeof entry.error_code === 'string' ? ` ${entry.error_code}` : '';
    return `${time} ${String(request.requestMethod)} ${String(request.requestUrl)} ${String(request.status)}${code}${took}`;
  }
  return `${time} ${typeof entry.severity === 'string' ? entry.severity : 'LOG'} ${String(entry.message ?? line)}`;
}

/** The JSON line as the log file keeps it: with the function that wrote it, still one JSON object. */
export function fileLine(target: string, line: string): string {
  return line.startsWith('{') && line.endsWith('}') ? `{"function":${JSON.stringify(target)},${line.slice(1)}` : line;
}
