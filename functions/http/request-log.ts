import type { IncomingMessage } from 'node:http';
import { errorFacts } from './error-facts';
import { redact } from './redact';

export interface RequestOutcome {
  status: number;
  code?: string;
  responseSize: number;
  organizationId?: string;
  fileId?: string;
  error?: unknown;
}

export interface RequestLogContext {
  traceId: string;
  startedAt: bigint;
  projectId?: string;
}

/**
 * One structured line per request, in Cloud Logging's JSON format. Never the
 * query string, a header value, the body, or an error's raw text: only what
 * is safe, with secrets redacted from error stacks.
 */
export function logRequest(req: IncomingMessage, ctx: RequestLogContext, outcome: RequestOutcome): void {
  const latencySeconds = Number(process.hrtime.bigint() - ctx.startedAt) / 1e9;
  const path = redact((req.url ?? '/').split('?')[0]);
  const severity = outcome.status >= 500 ? 'ERROR' : outcome.status >= 400 ? 'WARNING' : 'INFO';
  const entry: Record<string, unknown> = {
    severity,
    message: `${req.method} ${path} ${outcome.status}${outcome.code ? ` ${outcome.code}` : ''}`,
    httpRequest: {
      requestMethod: req.method,
      requestUrl: path,
      status: outcome.status,
      responseSize: String(outcome.responseSize),
      userAgent: req.headers['user-agent'],
      remoteIp: req.socket?.remoteAddress,
      latency: `${latencySeconds.toFixed(6)}s`,
      protocol: `HTTP/${req.httpVersion}`,
    },
    'logging.googleapis.com/trace': ctx.projectId ? `projects/${ctx.projectId}/traces/${ctx.traceId}` : ctx.traceId,
    trace_id: ctx.traceId,
  };
  if (outcome.code) entry.error_code = outcome.code;
  if (outcome.organizationId) entry.organization_id = outcome.organizationId;
  if (outcome.fileId) entry.file_id = outcome.fileId;
  if (outcome.error) entry.error = describe(outcome.error);
  process.stdout.write(JSON.stringify(entry) + '\n');
}

function describe(error: unknown): string {
  const text = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
  return redact(text).slice(0, 4000);
}

/**
 * A line for work that is not a request's answer (outages, compensation,
 * background writes). Of an error it carries only its allow-listed facts:
 * these lines come from backend clients whose messages embed request data.
 */
export function logEvent(
  severity: 'INFO' | 'WARNING' | 'ERROR',
  message: string,
  error?: unknown,
  fields: Record<string, unknown> = {},
): void {
  const entry: Record<string, unknown> = { severity, message, ...fields };
  if (error !== undefined) entry.error = errorFacts(error);
  process.stdout.write(JSON.stringify(entry) + '\n');
}

/** For work off the request path (compensation, cancels): failures are logged, never thrown. */
export function logBackgroundError(what: string, error: unknown): void {
  logEvent('ERROR', `background work failed: ${what}`, error);
}
