import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { loadContract } from '../../scripts/contract/load';
import { openApiDocument } from '../../scripts/contract/openapi';

/** One answer as the server sent it. */
export interface Answer {
  method: string;
  url: string;
  status: number;
  headers: OutgoingHttpHeaders | IncomingHttpHeaders;
  body: Buffer;
}

interface PathMatcher {
  template: string;
  pattern: RegExp;
  methods: Record<string, { operationId: string; responses: Record<string, { content?: unknown }> }>;
}

const DOC_ID = 'openapi.json';
const pointer = (...parts: string[]) => `${DOC_ID}#/${parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;

/**
 * Checks answers against the OpenAPI 3.1 document the contract generates
 * (docs/openapi.json when it is up to date): the status must be one the
 * operation declares, and the body must validate against that status's schema.
 * Paths are matched from the document itself, not by the function's router, so
 * a routing mistake shows up here too. Returns what is wrong, or nothing.
 */
export function createAnswerChecker(): (answer: Answer) => string[] {
  const doc = openApiDocument(loadContract()) as unknown as {
    paths: Record<string, PathMatcher['methods']>;
    components: { schemas: object };
  };
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addSchema(doc, DOC_ID);
  const validators = new Map<string, ValidateFunction>();
  const validator = (ref: string) => {
    let v = validators.get(ref);
    if (!v) {
      v = ajv.getSchema(ref) as ValidateFunction;
      validators.set(ref, v);
    }
    return v;
  };
  const envelope = validator(pointer('components', 'schemas', 'ErrorEnvelope'));
  const matchers: PathMatcher[] = Object.entries(doc.paths)
    .map(([template, methods]) => ({
      template,
      methods,
      pattern: new RegExp(`${template.replace(/\{[a-z_]+\}/g, '[^/]+')}/?$`),
    }))
    .sort((a, b) => literals(b.template) - literals(a.template));

  return (answer) => {
    const path = answer.url.split('?')[0];
    const problems: string[] = [];
    const json = () => {
      try {
        return JSON.parse(answer.body.toString('utf8')) as unknown;
      } catch {
        problems.push('the body is not JSON');
        return undefined;
      }
    };
    if (!header(answer.headers, 'x-request-id')) problems.push('no X-Request-Id header');
    const routingNotFound = answer.status === 404 && (json() as { error?: { code?: string } } | undefined)?.error?.code === 'NOT_FOUND';
    if (routingNotFound) {
      // Any path may be a route that is not there: reserved by the framework, or not valid percent-encoding.
      if (!envelope(json())) problems.push(ajv.errorsText(envelope.errors));
      return problems.map((p) => `${answer.method} ${path} -> 404: ${p}`);
    }
    const matched = matchers.find((m) => m.pattern.test(path));
    const operation = matched?.methods[answer.method.toLowerCase()];
    if (!matched || !operation) {
      // Routing answers: not an operation's, but the envelope with the routing codes.
      const expected = matched ? { status: 405, code: 'METHOD_NOT_ALLOWED' } : { status: 404, code: 'NOT_FOUND' };
      const body = json() as { error?: { code?: string } } | undefined;
      if (answer.status !== expected.status || body?.error?.code !== expected.code) {
        problems.push(
          `a path the contract ${matched ? 'has, with a method it has not,' : 'does not have'} must answer ${expected.status} ${expected.code}`,
        );
      } else if (!envelope(body)) problems.push(ajv.errorsText(envelope.errors));
      if (matched && !header(answer.headers, 'allow')) problems.push('405 without an Allow header');
      return problems.map((p) => `${answer.method} ${path} -> ${answer.status}: ${p}`);
    }
    const declared = operation.responses[String(answer.status)];
    const where = `${operation.operationId} (${answer.method} ${path}) -> ${answer.status}`;
    if (!declared) return [`${where}: the contract declares no ${answer.status} for this operation`, ...problems];
    if (!declared.content) {
      if (answer.body.length > 0) problems.push('a body where the contract declares none');
      return problems.map((p) => `${where}: ${p}`);
    }
    if (!String(header(answer.headers, 'content-type') ?? '').startsWith('application/json'))
      problems.push('Content-Type is not application/json');
    const body = json();
    const validate = validator(
      pointer(
        'paths',
        matched.template,
        answer.method.toLowerCase(),
        'responses',
        String(answer.status),
        'content',
        'application/json',
        'schema',
      ),
    );
    if (body !== undefined && !validate(body))
      problems.push(`${ajv.errorsText(validate.errors)}; body ${answer.body.toString('utf8').slice(0, 500)}`);
    return problems.map((p) => `${where}: ${p}`);
  };
}

function header(headers: Answer['headers'], name: string): unknown {
  const found = Object.entries(headers).find(([key]) => key.toLowerCase() === name);
  return found?.[1];
}

const literals = (template: string) => template.split('/').filter((s) => s && !s.startsWith('{')).length;
