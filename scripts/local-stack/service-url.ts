import type { ServiceAddress } from './stack-config';

/** host:port, as FIRESTORE_EMULATOR_HOST wants it; an IPv6 host in brackets. */
export function hostAndPort({ host, port }: ServiceAddress): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** The base URL a part on `address` serves, known before it runs. */
export function httpUrl(address: ServiceAddress): string {
  return `http://${hostAndPort(address)}`;
}
