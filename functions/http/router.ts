import { methodNotAllowed, notFound } from '../errors/api-error';
import type { Operation, PathParameter } from '../generated/operations';

export type PathParameters = Partial<Record<PathParameter, string>>;

export interface RouteMatch {
  operation: Operation;
  params: PathParameters;
}

interface CompiledPath {
  template: string;
  /** the template's segments: a literal, or the name of the parameter it holds */
  segments: ({ literal: string } | { param: PathParameter })[];
  byMethod: Map<string, Operation>;
  allow: string[];
}

export interface Router {
  /** The operation for a method and URL; throws NOT_FOUND, or METHOD_NOT_ALLOWED (with Allow). */
  route(method: string, url: string): RouteMatch;
  /** What this router serves, as the contract spells it. */
  readonly routes: readonly { method: string; path: string; operationId: string }[];
}

/**
 * A router for `operations` (the contract's table, less those without a
 * handler), compiled once into each path template's segments; a request is
 * one split of its path and a comparison of segments, no regular expression.
 * Behind API Gateway or a platform URL the path may carry a prefix, so a
 * template matches the end of the path. Literal segments win over parameters
 * (`…/files/upload-url` before `…/files/{file_id}`).
 */
export function createRouter(operations: readonly Operation[]): Router {
  const paths = new Map<string, CompiledPath>();
  for (const operation of operations) {
    let path = paths.get(operation.path);
    if (!path) {
      path = compile(operation.path);
      paths.set(operation.path, path);
    }
    path.byMethod.set(operation.method, operation);
    path.allow.push(operation.method);
  }
  const ordered = [...paths.values()].sort((a, b) => literalSegments(b.template) - literalSegments(a.template));

  return {
    routes: operations.map((op) => ({ method: op.method, path: op.path, operationId: op.id })),
    route(method, url) {
      const query = url.indexOf('?');
      const path = query === -1 ? url : url.slice(0, query);
      const segments = path.split('/');
      // One trailing slash is accepted.
      if (segments.length > 1 && segments[segments.length - 1] === '') segments.pop();
      for (const candidate of ordered) {
        const params = matchEnd(candidate, segments);
        if (!params) continue;
        const operation = candidate.byMethod.get(method);
        if (!operation) throw methodNotAllowed(candidate.allow);
        return { operation, params };
      }
      throw notFound();
    },
  };
}

function compile(template: string): CompiledPath {
  const segments = template
    .split('/')
    .slice(1)
    .map((s) => (s.startsWith('{') ? { param: s.slice(1, -1) as PathParameter } : { literal: s }));
  return { template, segments, byMethod: new Map(), allow: [] };
}

/** The path parameters if the path ends with the template's segments (each parameter non-empty), else null. */
function matchEnd(candidate: CompiledPath, segments: string[]): PathParameters | null {
  const offset = segments.length - candidate.segments.length;
  // segments[0] is the empty string before the path's leading slash.
  if (offset < 1) return null;
  for (let i = 0; i < candidate.segments.length; i++) {
    const want = candidate.segments[i];
    const got = segments[offset + i];
    if ('literal' in want ? got !== want.literal : got === '') return null;
  }
  const params: PathParameters = {};
  for (let i = 0; i < candidate.segments.length; i++) {
    const want = candidate.segments[i];
    if ('param' in want) params[want.param] = decode(segments[offset + i]);
  }
  return params;
}

const literalSegments = (template: string) => template.split('/').filter((s) => s && !s.startsWith('{')).length;

function decode(segment: string): string {
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    throw notFound();
  }
}
