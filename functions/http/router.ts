import { methodNotAllowed, notFound } from '../errors/api-error';

export type RouteName = 'upload-url' | 'files' | 'file' | 'download-url';

export interface RouteMatch {
  name: RouteName;
  organizationId: string;
  fileId?: string;
}

interface Route {
  name: RouteName;
  pattern: RegExp;
  methods: string[];
}

// Behind API Gateway or a platform URL the path may carry a prefix; the API's
// own path is the end of it.
const ORG = '/v1/organizations/([^/]+)/files';
const ROUTES: Route[] = [
  { name: 'upload-url', pattern: new RegExp(`${ORG}/upload-url/?$`), methods: ['POST'] },
  { name: 'files', pattern: new RegExp(`${ORG}/?$`), methods: ['GET', 'POST'] },
  { name: 'download-url', pattern: new RegExp(`${ORG}/([^/]+)/download-url/?$`), methods: ['GET'] },
  { name: 'file', pattern: new RegExp(`${ORG}/([^/]+)/?$`), methods: ['GET', 'DELETE'] },
];

/** The route for a method and path; throws NOT_FOUND or METHOD_NOT_ALLOWED (with Allow). */
export function route(method: string, url: string, implemented: ReadonlySet<RouteName>): RouteMatch {
  const path = url.split('?')[0];
  for (const r of ROUTES) {
    const m = path.match(r.pattern);
    if (!m) continue;
    if (!implemented.has(r.name)) throw notFound();
    if (!r.methods.includes(method)) throw methodNotAllowed(r.methods);
    return { name: r.name, organizationId: decode(m[1]), fileId: m[2] === undefined ? undefined : decode(m[2]) };
  }
  throw notFound();
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw notFound();
  }
}
