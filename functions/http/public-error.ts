import { BackendUnavailable } from '../domain/backend-unavailable';
import { serviceUnavailable } from '../errors/api-error';
import { logEvent } from './request-log';

const RETRY_AFTER_SECONDS = 5;

/**
 * What the client may be told of a failure: a backend outage is a 503 to
 * retry. The log gets which backend, the cause's allow-listed facts and, when
 * given, the request's trace id.
 */
export function publicError(error: unknown, traceId?: string): unknown {
  if (!(error instanceof BackendUnavailable)) return error;
  logEvent('WARNING', `${error.backend} unavailable`, error.cause, traceId ? { trace_id: traceId } : {});
  return serviceUnavailable(RETRY_AFTER_SECONDS);
}
