import { FilesClient } from '@files-api/sdk';
import { UsageError } from './exit-codes';

export interface GlobalFlags {
  apiUrl?: string;
  apiKey?: string;
  org?: string;
}

export interface CliConfig {
  apiUrl: string;
  apiKey: string;
  organizationId: string;
}

/** Flags win over FILES_API_URL, FILES_API_KEY and FILES_ORG; every missing one is named. */
export function resolveConfig(flags: GlobalFlags, env: NodeJS.ProcessEnv = process.env): CliConfig {
  const apiUrl = flags.apiUrl ?? env.FILES_API_URL;
  const apiKey = flags.apiKey ?? env.FILES_API_KEY;
  const organizationId = flags.org ?? env.FILES_ORG;
  const missing = [
    !apiUrl && '--api-url or FILES_API_URL',
    !apiKey && '--api-key or FILES_API_KEY',
    !organizationId && '--org or FILES_ORG',
  ].filter(Boolean);
  if (missing.length > 0) throw new UsageError(`missing configuration: ${missing.join(', ')}`);
  try {
    new URL(apiUrl!);
  } catch {
    throw new UsageError(`the API URL is not a URL: ${apiUrl}`);
  }
  return { apiUrl: apiUrl!, apiKey: apiKey!, organizationId: organizationId! };
}

export function clientFor(config: CliConfig): FilesClient {
  const base = positiveNumber(process.env.FILES_RETRY_BASE_MS);
  return new FilesClient({
    baseUrl: config.apiUrl,
    apiKey: config.apiKey,
    organizationId: config.organizationId,
    retry: base ? { baseDelayMs: base } : undefined,
    requestTimeoutMs: positiveNumber(process.env.FILES_REQUEST_TIMEOUT_MS),
  });
}

/** Tuning for unusual links (and tests): FILES_RETRY_BASE_MS, the first backoff; FILES_REQUEST_TIMEOUT_MS, one request's deadline. */
function positiveNumber(value: string | undefined): number | undefined {
  const number = Number(value);
  return value && Number.isFinite(number) && number > 0 ? number : undefined;
}
