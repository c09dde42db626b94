/**
 * How old a direct upload's marker is before the sweep takes it for its
 * function's: no request lives past the function's timeout, a backend call
 * made just before it can land up to one backend deadline later, and a minute
 * more covers instances' clocks differing. Taking the marker of an upload
 * still going would only fail that upload (its record's commit then fails),
 * never leave a record without its object.
 */
export function directUploadExpiryMs(requestTimeoutMs: number, backendTimeoutMs: number): number {
  return requestTimeoutMs + backendTimeoutMs + 60_000;
}
