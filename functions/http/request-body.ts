import type { BodyRequest } from './body-layer';
import { invalidJson, unsupportedMediaType } from '../errors/api-error';
import { isJsonMediaType, parseContentType, parseJson } from './json-body';

/** The request's JSON body: 415 for another media type, INVALID_JSON for an empty or malformed one. */
export function jsonBodyOf(req: BodyRequest): unknown {
  const raw = req.rawBody ?? Buffer.alloc(0);
  const header = req.headers['content-type'];
  const type = parseContentType(header);
  if (header !== undefined && !isJsonMediaType(type)) throw unsupportedMediaType(header.slice(0, 100));
  if (header === undefined && raw.length > 0) throw unsupportedMediaType('(none)');
  if (raw.length === 0) throw invalidJson('Request body must be a JSON object');
  return parseJson(raw, type);
}
