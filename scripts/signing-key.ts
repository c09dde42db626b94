import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface SigningKey {
  /** a service-account key file, as Google's client libraries read one */
  path: string;
  clientEmail: string;
}

/**
 * The local stand-in for a service account that signs URLs: an RSA 2048 key in
 * a service-account JSON file, made once at `path` and reused after, so URLs
 * signed before a restart still verify. The function signs with it and the
 * storage emulator verifies with it; no Google server ever sees it.
 */
export function ensureSigningKey(path: string, projectId: string): SigningKey {
  if (existsSync(path)) {
    const existing = JSON.parse(readFileSync(path, 'utf8')) as { client_email?: unknown; private_key?: unknown };
    if (typeof existing.client_email === 'string' && typeof existing.private_key === 'string') {
      return { path, clientEmail: existing.client_email };
    }
  }
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const clientEmail = `files-api-local@${projectId}.iam.gserviceaccount.com`;
  const key = {
    type: 'service_account',
    project_id: projectId,
    private_key_id: randomBytes(20).toString('hex'),
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
    client_email: clientEmail,
    client_id: String(BigInt(`0x${randomBytes(8).toString('hex')}`)),
    token_uri: 'https://oauth2.googleapis.com/token',
  };
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(key, null, 2)}\n`, { mode: 0o600 });
  return { path, clientEmail };
}
