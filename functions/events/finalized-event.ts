import type { IncomingHttpHeaders } from 'node:http';
import { malformedTextField } from '../domain/well-formed-text';
import { ApiError } from '../errors/api-error';
import type { FinalizedObject } from './finalize';

export const FINALIZED_TYPE = 'google.cloud.storage.object.v1.finalized';

export interface FinalizedEvent {
  id: string;
  object: Required<Pick<FinalizedObject, 'bucket' | 'name'>> & { generation?: string };
}

const invalid = (field: string, message: string) => new ApiError(400, 'INVALID_FIELD_VALUE', message, { field });

/**
 * A `google.cloud.storage.object.v1.finalized` CloudEvent as Eventarc posts it:
 * binary mode (`ce-*` headers, the object resource as the body) or structured
 * mode (`application/cloudevents+json`). Anything else is a 400 naming what is
 * wrong; nothing of the request is trusted further than this checks. The
 * object's name comes from the data (JSON, any Unicode), never from
 * `ce-subject`, which binary mode carries percent-encoded (`objects/%E6%BC%A2…`).
 */
export function parseFinalizedEvent(headers: IncomingHttpHeaders, body: unknown): FinalizedEvent {
  const binary = typeof headers['ce-specversion'] === 'string';
  const structured = !binary && isObject(body) && typeof body.specversion === 'string';
  if (!binary && !structured) throw new ApiError(400, 'INVALID_JSON', 'Request must be a CloudEvent (binary or structured mode)');
  const attribute = (name: string): unknown => (binary ? headers[`ce-${name}`] : (body as Record<string, unknown>)[name]);
  const data = binary ? body : (body as Record<string, unknown>).data;

  const type = attribute('type');
  if (type !== FINALIZED_TYPE) throw invalid('type', `The event type must be ${FINALIZED_TYPE}`);
  const id = attribute('id');
  if (typeof id !== 'string' || id.length === 0 || id.length > 256)
    throw invalid('id', 'The event id must be a string of 1-256 characters');
  if (!isObject(data)) throw invalid('data', 'The event data must be the object resource, a JSON object');
  const { bucket, name, generation } = data;
  if (typeof bucket !== 'string' || bucket.length === 0 || bucket.length > 222) throw invalid('bucket', 'bucket must be a bucket name');
  if (typeof name !== 'string' || name.length === 0 || Buffer.byteLength(name) > 1024 || malformedTextField({ name })) {
    throw invalid('name', 'name must be an object name of 1-1024 bytes of well-formed Unicode');
  }
  if (generation !== undefined && !(typeof generation === 'string' && /^\d{1,20}$/.test(generation)) && !Number.isSafeInteger(generation)) {
    throw invalid('generation', 'generation must be a whole number');
  }
  return { id, object: { bucket, name, generation: generation === undefined ? undefined : String(generation) } };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
