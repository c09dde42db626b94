import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';

/** Who may sign URLs for this emulator: a service account's email and public key. */
export interface SigningKey {
  clientEmail: string;
  publicKey: KeyObject;
}

/** Reads a service-account JSON key file (`client_email`, `private_key` PEM), as
 * Google's clients sign with; only its public half is kept. */
export async function loadSigningKey(file: string): Promise<SigningKey> {
  let parsed: { client_email?: unknown; private_key?: unknown };
  try {
    parsed = JSON.parse(await readFile(file, 'utf8')) as typeof parsed;
  } catch (err) {
    throw new Error(`--signing-credentials ${file}: not a readable JSON key file (${(err as Error).message})`);
  }
  if (typeof parsed.client_email !== 'string' || typeof parsed.private_key !== 'string') {
    throw new Error(`--signing-credentials ${file}: needs string fields client_email and private_key`);
  }
  try {
    return { clientEmail: parsed.client_email, publicKey: createPublicKey(parsed.private_key) };
  } catch (err) {
    throw new Error(`--signing-credentials ${file}: private_key is not a PEM key (${(err as Error).message})`);
  }
}
