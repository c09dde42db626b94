// Session URIs are capabilities: nothing logged may carry an upload id.
const UPLOAD_ID = /(upload_id=|sessions\/)[A-Za-z0-9_-]+/g;

export function redact(text: string): string {
  return text.replace(UPLOAD_ID, '$1<redacted>');
}

/** Warnings go to stderr; stdout carries only the "listening" line. */
export function warn(message: string): void {
  process.stderr.write(`storage-emulator: ${redact(message)}\n`);
}
