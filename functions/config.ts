import { randomBytes } from 'node:crypto';
import { isSerializedOrigin } from './http/cors';

/** Everything the function reads from its environment, checked once at start. */
export interface Config {
  projectId?: string;
  bucket: string;
  sessionTtlSeconds: number;
  maxFileSize: number;
  chunkSizeRecommended: number;
  authCacheTtlMs: number;
  backendTimeoutMs: number;
  /** The `files` function's timeout (the deploy's --timeout): the longest a request lives. */
  requestTimeoutMs: number;
  maxBodyBytes: number;
  idempotencyTtlSeconds: number;
  /** Browser origins the API answers CORS for (exact, as browsers send them); none by default. */
  corsAllowedOrigins: ReadonlySet<string>;
  /** How long a download URL works. */
  downloadUrlTtlSeconds: number;
  /** How long the URL of GET …/content works (an hour, as Aitronos' Files API). */
  contentUrlTtlSeconds: number;
  /** How long an `uploading` file's bytes_received (a status query of its session) is reused; 0 asks every time. */
  uploadProgressCacheMs: number;
  /** The largest request body a direct upload (POST …/files/upload) may send; larger files go through upload-url. */
  directUploadMaxBytes: number;
  /** Quotas of an organization whose document sets none. */
  defaultMaxOpenSessions: number;
  defaultMaxStoredBytes: number;
  /** The HMAC key of page tokens (PAGE_TOKEN_SECRET; see pageTokenSecret below). */
  pageTokenSecret: Buffer;
  /** Per-instance token buckets (see domain/token-buckets.ts): requests a second, and the burst. */
  rateLimits: {
    perKey: { perSecond: number; burst: number };
    perOrganization: { perSecond: number; burst: number };
    /** Failed authentications and authorizations per client address (http/failure-limit.ts). */
    failuresPerAddress: { perSecond: number; burst: number };
  };
  /**
   * Proxies that append to X-Forwarded-For in front of the function: the client's
   * address is this many entries from the end (docs/ABUSE-LIMITS.md). 1 on Cloud
   * Run reached directly, 2 behind API Gateway; 0 uses the socket's peer.
   */
  trustedProxyHops: number;
  /** Webhooks (docs/WEBHOOKS.md): the Pub/Sub topic of deliveries, whether plain http to loopback is allowed (never on Google Cloud), and after how long of failing an endpoint is disabled. */
  webhooks: { topic: string; allowLoopback: boolean; disableAfterMs: number };
}

/** The spec's ceiling for one file (5 GiB); a deployment may set a lower one. */
export const SPEC_MAX_FILE_SIZE = 5368709120;
const GCS_CHUNK_MULTIPLE = 262144;
/**
 * The request size both platforms in front of the function accept: Cloud Run
 * functions (2nd gen) take HTTP request bodies up to 32 MB
 * (https://docs.cloud.google.com/functions/quotas, "Max uncompressed HTTP
 * request size"), API Gateway up to 32 megabytes
 * (https://docs.cloud.google.com/api-gateway/docs/quotas, "Request size"),
 * both as documented on 2026-12-07. Read as decimal megabytes, the lower
 * reading, so a direct upload's cap is under both.
 */
export const PLATFORM_MAX_REQUEST_BYTES = 32_000_000;
const ONE_WEEK = 7 * 24 * 3600;

/**
 * How long an instance trusts a key or membership it looked up: a revocation,
 * pause or removal takes effect within it (docs/ABUSE-LIMITS.md). Each second
 * less costs reads: one per busy key and instance every TTL.
 */
export const DEFAULT_AUTH_CACHE_TTL_SECONDS = 10;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const problems: string[] = [];
  const integer = (name: string, fallback: number, min: number, max: number, rule = ''): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || value < min || value > max) {
      problems.push(`${name}=${JSON.stringify(raw)}: must be a whole number from ${min} to ${max}${rule}`);
      return fallback;
    }
    return value;
  };

  const rate = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!/^\d+(\.\d+)?$/.test(raw.trim()) || value < 0.001 || value > 1_000_000) {
      problems.push(`${name}=${JSON.stringify(raw)}: must be a number of requests a second from 0.001 to 1000000`);
      return fallback;
    }
    return value;
  };

  const bucket = env.FILES_BUCKET ?? '';
  if (!/^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/.test(bucket)) {
    problems.push(`FILES_BUCKET=${JSON.stringify(bucket)}: must name the Cloud Storage bucket for uploads (3-222 of a-z 0-9 . _ -)`);
  }
  const chunkSizeRecommended = integer('CHUNK_SIZE_RECOMMENDED', 5242880, GCS_CHUNK_MULTIPLE, 1 << 30);
  if (chunkSizeRecommended % GCS_CHUNK_MULTIPLE !== 0) {
    problems.push(
      `CHUNK_SIZE_RECOMMENDED=${chunkSizeRecommended}: must be a multiple of 262144 (256 KiB), as Cloud Storage requires of chunks`,
    );
  }
  const corsAllowedOrigins = (env.CORS_ALLOWED_ORIGINS ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const origin of corsAllowedOrigins.filter((o) => !isSerializedOrigin(o))) {
    problems.push(
      `CORS_ALLOWED_ORIGINS: ${JSON.stringify(origin)} is not an origin as browsers send it (http(s)://host[:port], lower case, no path or trailing slash)`,
    );
  }
  const pageTokenSecret = secret(env, problems);
  const config: Config = {
    projectId: env.GOOGLE_CLOUD_PROJECT || env.GCLOUD_PROJECT || undefined,
    bucket,
    // Cloud Storage kills a session after one week whatever we say; never promise longer.
    sessionTtlSeconds: integer('UPLOAD_SESSION_TTL_SECONDS', ONE_WEEK, 60, ONE_WEEK, ' (Cloud Storage sessions live one week at most)'),
    maxFileSize: integer('MAX_FILE_SIZE', SPEC_MAX_FILE_SIZE, 1, SPEC_MAX_FILE_SIZE),
    chunkSizeRecommended,
    authCacheTtlMs: integer('AUTH_CACHE_TTL_SECONDS', DEFAULT_AUTH_CACHE_TTL_SECONDS, 0, 3600, ' (0 disables the cache)') * 1000,
    backendTimeoutMs: integer('BACKEND_TIMEOUT_MS', 10_000, 100, 120_000),
    requestTimeoutMs: integer('FILES_TIMEOUT_SECONDS', 60, 1, 3600, ' (the most Cloud Run allows an HTTP function)') * 1000,
    maxBodyBytes: integer('MAX_REQUEST_BODY_BYTES', 64 * 1024, 1024, 1024 * 1024),
    idempotencyTtlSeconds: integer('IDEMPOTENCY_TTL_SECONDS', 24 * 3600, 60, 7 * 24 * 3600),
    corsAllowedOrigins: new Set(corsAllowedOrigins),
    // A V4 signed URL lives at most a week.
    downloadUrlTtlSeconds: integer('DOWNLOAD_URL_TTL_SECONDS', 15 * 60, 1, ONE_WEEK, ' (a signed URL lives one week at most)'),
    contentUrlTtlSeconds: integer('CONTENT_URL_TTL_SECONDS', 3600, 1, ONE_WEEK, ' (a signed URL lives one week at most)'),
    uploadProgressCacheMs: integer('UPLOAD_PROGRESS_CACHE_SECONDS', 3, 0, 60, ' (0 disables the cache)') * 1000,
    // 30 MiB of body, multipart framing included: under both platforms' limit with room for headers.
    directUploadMaxBytes: integer(
      'DIRECT_UPLOAD_MAX_BYTES',
      30 * 1024 * 1024,
      1024,
      PLATFORM_MAX_REQUEST_BYTES,
      ' (Cloud Run functions and API Gateway refuse request bodies over 32 MB)',
    ),
    defaultMaxOpenSessions: integer('DEFAULT_MAX_OPEN_SESSIONS', 1000, 1, 1_000_000),
    defaultMaxStoredBytes: integer('DEFAULT_MAX_STORED_BYTES', 1024 ** 4, 1, Number.MAX_SAFE_INTEGER),
    pageTokenSecret,
    rateLimits: {
      perKey: { perSecond: rate('RATE_LIMIT_KEY_PER_SECOND', 50), burst: integer('RATE_LIMIT_KEY_BURST', 500, 1, 10_000_000) },
      perOrganization: {
        perSecond: rate('RATE_LIMIT_ORG_PER_SECOND', 200),
        burst: integer('RATE_LIMIT_ORG_BURST', 2000, 1, 10_000_000),
      },
      failuresPerAddress: {
        perSecond: rate('RATE_LIMIT_FAILURES_PER_SECOND', 1),
        burst: integer('RATE_LIMIT_FAILURES_BURST', 30, 1, 10_000_000),
      },
    },
    trustedProxyHops: integer('TRUSTED_PROXY_HOPS', 1, 0, 10),
    webhooks: webhookConfig(env, problems, integer),
  };
  if (problems.length) throw new ConfigError(problems);
  return config;
}

/**
 * Pub/Sub keeps an unacknowledged message 7 days at most: an endpoint is
 * disabled before its messages can expire unseen (docs/WEBHOOKS.md).
 */
const MAX_WEBHOOK_DISABLE_AFTER_HOURS = 6 * 24;

/** The Pub/Sub topic of webhook deliveries, as the deploy creates it. */
export const DEFAULT_WEBHOOK_TOPIC = 'files-api-webhooks';

function webhookConfig(
  env: NodeJS.ProcessEnv,
  problems: string[],
  integer: (name: string, fallback: number, min: number, max: number, rule?: string) => number,
): Config['webhooks'] {
  const topic = env.WEBHOOK_TOPIC || DEFAULT_WEBHOOK_TOPIC;
  if (!/^[A-Za-z][A-Za-z0-9._~%+-]{2,254}$/.test(topic))
    problems.push(`WEBHOOK_TOPIC=${JSON.stringify(topic)}: must be a Pub/Sub topic id`);
  const allowLoopback = env.WEBHOOK_ALLOW_LOOPBACK === '1';
  if (allowLoopback && env.K_SERVICE)
    problems.push('WEBHOOK_ALLOW_LOOPBACK: plain http to loopback is for the local stack and tests, never on Google Cloud');
  const hours = integer('WEBHOOK_DISABLE_AFTER_HOURS', 72, 1, MAX_WEBHOOK_DISABLE_AFTER_HOURS, ' (Pub/Sub keeps a message 7 days)');
  return { topic, allowLoopback, disableAfterMs: hours * 3600_000 };
}

const MIN_SECRET_LENGTH = 32;

/**
 * PAGE_TOKEN_SECRET keys the HMAC that page tokens carry (domain/page-token.ts).
 * On Google Cloud (K_SERVICE is set by Cloud Run) the `files` function refuses
 * to start without it: every instance must sign alike, and the deployment gives
 * it from Secret Manager (docs/DEPLOY.md). Elsewhere (the local stack, tests) a
 * missing secret is drawn at random for this process: tokens then work until
 * it restarts, after which a client's old token is a 400 and it starts again
 * from page 1. The other functions never sign a token and need none.
 */
function secret(env: NodeJS.ProcessEnv, problems: string[]): Buffer {
  const raw = env.PAGE_TOKEN_SECRET ?? '';
  if (raw.length >= MIN_SECRET_LENGTH) return Buffer.from(raw);
  if (raw !== '') {
    problems.push(`PAGE_TOKEN_SECRET: must be at least ${MIN_SECRET_LENGTH} characters (32 random bytes, base64)`);
  } else if (env.K_SERVICE && (env.FUNCTION_TARGET ?? 'files') === 'files') {
    problems.push(
      'PAGE_TOKEN_SECRET: must be set on Google Cloud (from Secret Manager: --set-secrets), so every instance signs page tokens alike',
    );
  }
  return randomBytes(MIN_SECRET_LENGTH);
}
