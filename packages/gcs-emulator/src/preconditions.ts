import { badRequest, GcsError, preconditionFailed } from './errors';
import type { ObjectMetadata } from './object-metadata';

/** Generation and metageneration preconditions of the JSON API; `ifGenerationMatch=0`
 * means "only if absent". */
export interface Preconditions {
  ifGenerationMatch?: string;
  ifGenerationNotMatch?: string;
  ifMetagenerationMatch?: string;
  ifMetagenerationNotMatch?: string;
}

const KEYS = ['ifGenerationMatch', 'ifGenerationNotMatch', 'ifMetagenerationMatch', 'ifMetagenerationNotMatch'] as const;

/** The preconditions in a query; `prefix` reads the source's of a copy (`ifSourceGenerationMatch`…). */
export function preconditionsFrom(query: URLSearchParams, prefix: '' | 'Source' = ''): Preconditions {
  const found: Preconditions = {};
  for (const key of KEYS) {
    const param = prefix ? key.replace(/^if/, `if${prefix}`) : key;
    const value = query.get(param);
    if (value === null) continue;
    if (!/^\d{1,20}$/.test(value)) throw badRequest(`Invalid value for ${param}: ${value}`);
    found[key] = value;
  }
  return found;
}

/** Throws 412 when `current` (undefined: no live object) fails the preconditions. A
 * metageneration condition cannot hold for an object that does not exist. */
export function checkPreconditions(current: ObjectMetadata | undefined, pre: Preconditions): void {
  if (failed(current, pre)) throw preconditionFailed('At least one of the pre-conditions you specified did not hold.');
}

/** On a read, a failed "not match" condition answers 304 Not Modified (the client's copy
 * is current), as Cloud Storage does; a failed "match" condition answers 412. */
export function checkReadPreconditions(current: ObjectMetadata, pre: Preconditions): void {
  const { ifGenerationNotMatch, ifMetagenerationNotMatch, ...matches } = pre;
  checkPreconditions(current, matches);
  if (failed(current, { ifGenerationNotMatch, ifMetagenerationNotMatch })) throw new GcsError(304, 'notModified', 'Not Modified');
}

function failed(current: ObjectMetadata | undefined, pre: Preconditions): boolean {
  const generation = current?.generation ?? '0';
  if (pre.ifGenerationMatch !== undefined && pre.ifGenerationMatch !== generation) return true;
  if (pre.ifGenerationNotMatch !== undefined && pre.ifGenerationNotMatch === generation) return true;
  if (pre.ifMetagenerationMatch !== undefined && pre.ifMetagenerationMatch !== current?.metageneration) return true;
  if (pre.ifMetagenerationNotMatch !== undefined && current !== undefined && pre.ifMetagenerationNotMatch === current.metageneration)
    return true;
  return false;
}
