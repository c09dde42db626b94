import { badRequest, preconditionFailed } from './errors';
import type { StoredObject } from './stored-object';

/** Generation preconditions of the JSON API; `ifGenerationMatch=0` means "only if absent". */
export interface Preconditions {
  ifGenerationMatch?: string;
  ifGenerationNotMatch?: string;
}

export function preconditionsFrom(query: URLSearchParams): Preconditions {
  const found: Preconditions = {};
  for (const key of ['ifGenerationMatch', 'ifGenerationNotMatch'] as const) {
    const value = query.get(key);
    if (value === null) continue;
    if (!/^\d{1,20}$/.test(value)) throw badRequest(`Invalid value for ${key}: ${value}`);
    found[key] = value;
  }
  return found;
}

/** Throws 412 when `current` (undefined: no live object) fails the preconditions. */
export function checkPreconditions(current: StoredObject | undefined, pre: Preconditions): void {
  const generation = current?.generation ?? '0';
  if (pre.ifGenerationMatch !== undefined && pre.ifGenerationMatch !== generation) {
    throw preconditionFailed('At least one of the pre-conditions you specified did not hold.');
  }
  if (pre.ifGenerationNotMatch !== undefined && pre.ifGenerationNotMatch === generation) {
    throw preconditionFailed('At least one of the pre-conditions you specified did not hold.');
  }
}
