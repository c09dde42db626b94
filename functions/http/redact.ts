// Secrets that must never reach a log line: API keys and resumable session ids.
const API_KEY = /ak_[A-Za-z0-9_-]{8,}/g;
const UPLOAD_ID = /(upload_id=)[^&\s"']+/gi;

export function redact(text: string): string {
  return text.replace(API_KEY, 'ak_[REDACTED]').replace(UPLOAD_ID, '$1[REDACTED]');
}
