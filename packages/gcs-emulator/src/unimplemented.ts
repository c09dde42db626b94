import { GcsError } from './errors';

// Parts of the JSON API this emulator leaves out, by the name Cloud Storage's reference gives them.
const NAMED: Array<[RegExp, string]> = [
  [/\/b\/[^/]+\/o\/[^/]+\/acl(?:\/|$)/, 'objectAccessControls'],
  [/\/b\/[^/]+\/o\/[^/]+\/moveTo\//, 'objects.move'],
  [/\/b\/[^/]+\/o\/[^/]+\/restore$/, 'objects.restore'],
  [/\/b\/[^/]+\/o\/bulkRestore$/, 'objects.bulkRestore'],
  [/\/b\/[^/]+\/o\/watch$/, 'objects.watchAll'],
  [/\/b\/[^/]+\/acl(?:\/|$)/, 'bucketAccessControls'],
  [/\/b\/[^/]+\/defaultObjectAcl(?:\/|$)/, 'defaultObjectAccessControls'],
  [/\/b\/[^/]+\/iam(?:\/|$)/, 'buckets.getIamPolicy / setIamPolicy / testIamPermissions'],
  [/\/b\/[^/]+\/notificationConfigs(?:\/|$)/, 'notifications'],
  [/\/b\/[^/]+\/lockRetentionPolicy$/, 'buckets.lockRetentionPolicy'],
  [/\/b\/[^/]+\/managedFolders(?:\/|$)/, 'managedFolders'],
  [/\/b\/[^/]+\/folders(?:\/|$)/, 'folders'],
  [/\/b\/[^/]+\/anywhereCaches(?:\/|$)/, 'anywhereCaches'],
  [/\/b\/[^/]+\/operations(?:\/|$)/, 'operations'],
  [/\/projects\/[^/]+\/hmacKeys(?:\/|$)/, 'hmacKeys'],
  [/\/projects\/[^/]+\/serviceAccount$/, 'projects.serviceAccount'],
  [/\/channels\/stop$/, 'channels.stop'],
  [/^\/batch\//, 'batch requests'],
];

const RESOURCE_METHODS: Array<[RegExp, Record<string, string>]> = [
  [/^(?:\/storage\/v1)?\/b\/[^/]+\/o\/[^/]+$/, { POST: 'objects.insert (without an upload path)' }],
  [/^(?:\/storage\/v1)?\/b\/[^/]+\/?$/, { PATCH: 'buckets.patch', PUT: 'buckets.update' }],
];

const API_PATH = /^\/(?:storage\/v1|b|upload|resumable|download|batch|projects|channels)(?:\/|$)/;

/** The 501 for a sub-resource this emulator leaves out (…/o/{object}/acl…), checked
 * before the routes: like Cloud Storage, the path names the API even where an object
 * name with raw slashes could look the same. */
export function unimplementedSubresource(method: string, path: string): GcsError | undefined {
  const named = NAMED.find(([pattern]) => pattern.test(path))?.[1];
  return named ? notImplemented(`${named} (${method} ${path})`) : undefined;
}

/** The 501 for any other request shaped like the JSON API that no route serves, naming
 * the API where known (never a 405, which reads like a wrong verb); undefined when the
 * path is no API at all (a 404). */
export function unimplemented(method: string, path: string): GcsError | undefined {
  if (!API_PATH.test(path)) return undefined;
  const named = RESOURCE_METHODS.find(([pattern]) => pattern.test(path))?.[1][method];
  return notImplemented(named ? `${named} (${method} ${path})` : `${method} ${path}`);
}

function notImplemented(what: string): GcsError {
  return new GcsError(501, 'notImplemented', `The storage emulator does not implement ${what}`);
}
