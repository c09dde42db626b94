import { InvalidArgumentError } from 'commander';

/**
 * `--metadata k=v`, repeatable, into one object. Only the shape is checked
 * here (a key, an `=`, no key twice): the API's own rules on keys and values
 * answer with a 400 that names the field, so they are not copied.
 */
export function collectMetadata(pair: string, previous: Record<string, string> | undefined): Record<string, string> {
  const equals = pair.indexOf('=');
  if (equals <= 0) throw new InvalidArgumentError(`expected KEY=VALUE, got "${pair}"`);
  const key = pair.slice(0, equals);
  if (previous && key in previous) throw new InvalidArgumentError(`the key "${key}" is given twice`);
  return { ...previous, [key]: pair.slice(equals + 1) };
}
