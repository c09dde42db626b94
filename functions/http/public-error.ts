import { BackendUnavailable } from '../domain/backend-unavailable';
import { serviceUnavailable } from '../errors/api-error';
import { logEvent } from './request-log';

const RETRY_AFTER_SECONDS = 5;

/** What the client may be told of a failure: a backend outage is a 503 to retry (its cause goes to the log). */
export function publicError(error: unknown): unknown {
  if (!(error instanceof BackendUnavailable)) return error;
  logEvent('WARNING', `${error.backend} unavailable`, error.cause);
  return serviceUnavailable(RETRY_AFTER_SECONDS);
}
