import { invalidJson, unsupportedMediaType } from '../errors/api-error';

const decoder = new TextDecoder('utf-8', { fatal: true });

export interface MediaType {
  essence: string;
  charset?: string;
}

export function parseContentType(header: string | undefined): MediaType | undefined {
  if (!header) return undefined;
  const [essence, ...params] = header.split(';');
  const charset = params
    .map((p) => p.trim().split('='))
    .find(([name]) => name.trim().toLowerCase() === 'charset')?.[1]
    ?.replace(/^"|"$/g, '')
    .toLowerCase();
  return { essence: essence.trim().toLowerCase(), charset };
}

/** application/json and the +json family (e.g. application/cloudevents+json). */
export function isJsonMediaType(type: MediaType | undefined): boolean {
  return !!type && (type.essence === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(type.essence));
}

/** Strict UTF-8 JSON; anything else is INVALID_JSON (or 415 for another charset). */
export function parseJson(raw: Buffer, type: MediaType | undefined): unknown {
  if (type?.charset && type.charset !== 'utf-8' && type.charset !== 'utf8') {
    throw unsupportedMediaType(`${type.essence}; charset=${type.charset}`);
  }
  let text: string;
  try {
    text = decoder.decode(raw);
  } catch {
    throw invalidJson('Request body is not valid UTF-8');
  }
  try {
    return JSON.parse(text);
  } catch {
    throw invalidJson('Request body is not valid JSON');
  }
}
