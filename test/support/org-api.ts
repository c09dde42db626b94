import type { Stack } from './stack';

export type Json = Record<string, any>;

/**
 * One call to the stack's API below /v1/organizations/{its organization}, as its member
 * (or with `key`): `body` goes as JSON, `raw` as the request's text itself. An empty
 * answer reads as {}.
 */
export async function orgApi(
  stack: Stack,
  method: string,
  path: string,
  body?: unknown,
  options: { raw?: string; key?: string } = {},
): Promise<{ status: number; json: Json }> {
  const sends = body !== undefined || options.raw !== undefined;
  const response = await fetch(`${stack.api.url}/v1/organizations/${stack.organizationId}${path}`, {
    method,
    headers: { 'X-API-Key': options.key ?? stack.apiKey, ...(sends ? { 'Content-Type': 'application/json' } : {}) },
    body: options.raw ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  const text = await response.text();
  return { status: response.status, json: (text ? JSON.parse(text) : {}) as Json };
}
