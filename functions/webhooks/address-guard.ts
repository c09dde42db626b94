import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Where a webhook may be sent. A webhook URL is user input the server calls:
 * in production it must be https to a public address. Plain http, to loopback
 * only, is allowed where the deployment says so (the local stack, tests).
 */
export interface GuardPolicy {
  allowLoopback: boolean;
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Answers every address a host name has, as `dns.lookup` with `all: true`. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));

/** Host names that are the metadata server, whatever they resolve to. */
const METADATA_HOSTS = new Set(['metadata.google.internal', 'metadata', 'metadata.goog']);

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

// Every range that is not the public internet: this network, private, CGNAT, loopback, link-local (the
// metadata server 169.254.169.254 among them), IETF protocol assignments, benchmarking, documentation,
// multicast, reserved, broadcast; and IPv6's unspecified, loopback, IPv4-mapped and -translated,
// discard, documentation, unique-local, link-local, site-local and multicast blocks.
// Two lists: a BlockList matches IPv4 addresses against its IPv6 rules as IPv4-mapped ones, so one
// list refusing ::ffff:0:0/96 would refuse every IPv4 address.
const notPublicV4 = new BlockList();
const notPublicV6 = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  notPublicV4.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['::ffff:0:0', 96],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  notPublicV6.addSubnet(net, prefix, 'ipv6');
}

/** Why `address` may not be called, or undefined when it may. */
export function refusedAddress(address: string, policy: GuardPolicy): string | undefined {
  const family = isIP(address);
  if (family === 0) return `${address} is not an IP address`;
  const type = family === 6 ? 'ipv6' : 'ipv4';
  if (policy.allowLoopback && loopback.check(address, type)) return undefined;
  if ((family === 6 ? notPublicV6 : notPublicV4).check(address, type)) return `${address} is not a public address`;
  return undefined;
}

/** Why the URL is refused on its face (scheme, credentials, metadata host), or undefined. */
export function refusedUrl(url: URL, policy: GuardPolicy): string | undefined {
  if (url.protocol !== 'https:' && !(policy.allowLoopback && url.protocol === 'http:')) return 'the URL must be https';
  if (url.username || url.password) return 'the URL may not carry credentials';
  const host = hostnameOf(url);
  if (METADATA_HOSTS.has(host.toLowerCase().replace(/\.$/, ''))) return 'the metadata server is not a webhook target';
  if (isIP(host)) return refusedAddress(host, policy);
  return undefined;
}

/** `[::1]` -> `::1`: the host as an address or a name. */
export function hostnameOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

export class AddressRefused extends Error {}

/**
 * The address to connect to for `url`: every address its host resolves to must
 * pass (one bad one could be picked by the next resolution), and plain http
 * only ever goes to loopback. Called at creation and again at every delivery,
 * and the connection is made to the address answered here, so a host that
 * changes its DNS answer after the check (DNS rebinding) cannot redirect it.
 */
export async function checkedTarget(url: URL, policy: GuardPolicy, resolve: Resolver = systemResolver): Promise<ResolvedAddress> {
  const onFace = refusedUrl(url, policy);
  if (onFace) throw new AddressRefused(onFace);
  const host = hostnameOf(url);
  const family = isIP(host);
  const addresses: ResolvedAddress[] = family ? [{ address: host, family: family === 6 ? 6 : 4 }] : await resolveOrRefuse(host, resolve);
  if (addresses.length === 0) throw new AddressRefused(`${host} has no address`);
  for (const { address } of addresses) {
    const why = refusedAddress(address, policy);
    if (why) throw new AddressRefused(why);
  }
  if (url.protocol === 'http:' && !addresses.every((a) => loopback.check(a.address, a.family === 6 ? 'ipv6' : 'ipv4'))) {
    throw new AddressRefused('plain http is allowed to loopback only');
  }
  return addresses[0] as ResolvedAddress;
}

async function resolveOrRefuse(host: string, resolve: Resolver): Promise<ResolvedAddress[]> {
  try {
    return await resolve(host);
  } catch {
    throw new AddressRefused(`${host} does not resolve`);
  }
}
