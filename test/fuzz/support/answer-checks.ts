import { validateErrorEnvelope, validateFile, validateFileList, validateUploadUrlResponse } from '../../../functions/generated/validators';
import type { RawRequest, RawResponse } from './raw-http';

/** The success schema for a 2xx answer to this request, by the route its path names. */
function successValidator(req: RawRequest): ((data: unknown) => boolean) & { errors?: unknown } {
  const path = req.path.split('?')[0].replace(/\/+$/, '');
  if (/\/upload-url$/.test(path)) return validateUploadUrlResponse;
  if (/\/files$/.test(path)) return req.method === 'POST' ? validateFile : validateFileList;
  return validateFile;
}

/**
 * What every answer of the files API must be, whatever was sent: never 5xx
 * (in-process, no backend can fail); a 2xx that validates against its
 * success schema; anything else the error envelope, valid against its
 * schema, its status the HTTP status, its trace id in X-Request-Id.
 * Returns the problems found (empty: the answer is right).
 */
export function answerProblems(req: RawRequest, res: RawResponse): string[] {
  const problems: string[] = [];
  if (res.status >= 500) problems.push(`status ${res.status}`);
  if (req.method === 'HEAD') return problems;
  if (res.status === 204) {
    if (res.body.length) problems.push('204 with a body');
    return problems;
  }
  let body: unknown;
  try {
    body = JSON.parse(res.body.toString('utf8'));
  } catch {
    return [...problems, `not JSON (${res.status}, ${JSON.stringify(res.body.toString('utf8').slice(0, 80))})`];
  }
  if (!String(res.headers['content-type'] ?? '').startsWith('application/json'))
    problems.push(`content-type ${res.headers['content-type']}`);
  if (res.status >= 200 && res.status < 300) {
    const validate = successValidator(req);
    if (!validate(body)) problems.push(`2xx does not validate: ${JSON.stringify(validate.errors)}`);
    return problems;
  }
  if (!validateErrorEnvelope(body)) return [...problems, `not the envelope: ${JSON.stringify(validateErrorEnvelope.errors)}`];
  const error = (body as { error: { status: number; type: string; trace_id: string; code: string } }).error;
  if (error.status !== res.status) problems.push(`envelope status ${error.status} on HTTP ${res.status}`);
  if (error.type !== (res.status >= 500 ? 'server_error' : 'client_error')) problems.push(`type ${error.type} on ${res.status}`);
  if (res.headers['x-request-id'] !== error.trace_id) problems.push('X-Request-Id is not the trace id');
  if (res.status === 405 && !res.headers.allow) problems.push('405 without Allow');
  if ((res.status === 429 || res.status === 503) && !/^\d+$/.test(String(res.headers['retry-after'])))
    problems.push(`${res.status} without Retry-After`);
  return problems;
}
