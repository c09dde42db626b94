import { methodNotAllowed, notFound } from '../errors/api-error';
import type { Operation, PathParameter } from '../generated/operations';

export type PathParameters = Partial<Record<PathParameter, string>>;

export interface RouteMatch {
  operation: Operation;
  params: PathParameters;
}

interface CompiledPath {
  template: string;
  pattern: RegExp;
  names: PathParameter[];
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
 * handler), compiled once: one regular expression per path template. Behind
 * API Gateway or a platform URL the path may carry a prefix, so each pattern
 * anchors at the end only. Literal segments win over parameters
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
      for (const candidate of ordered) {
        const m = candidate.pattern.exec(path);
        if (!m) continue;
        const operation = candidate.byMethod.get(method);
        if (!operation) throw methodNotAllowed(candidate.allow);
        const params: PathParameters = {};
        candidate.names.forEach((name, i) => (params[name] = decode(m[i + 1])));
        return { operation, params };
      }
      throw notFound();
    },
  };
}

function compile(template: string): CompiledPath {
  const names: PathParameter[] = [];
  const source = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{([a-z_]+)\}/g, (_, name: PathParameter) => {
    names.push(name);
    return '([^/]+)';
  });
  return { template, pattern: new RegExp(`${source}/?$`), names, byMethod: new Map(), allow: [] };
}

const literalSegments = (template: string) => template.split('/').filter((s) => s && !s.startsWith('{')).length;

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw notFound();
  }
}
