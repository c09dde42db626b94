/**
 * What `search` compares: a filename (or a prefix of one) lower-cased and in
 * Unicode NFC, so `Ärger.pdf` written precomposed and `ärger` written
 * decomposed meet. Stored on every record (`filename_key`) so a prefix search
 * is a range over one indexed field.
 */
export function filenameKey(name: string): string {
  return name.normalize('NFC').toLowerCase().normalize('NFC');
}

/**
 * The least string after every string that starts with `prefix`, in the order
 * Firestore sorts strings (UTF-8 bytes, that is code points): the prefix with
 * its last code point moved one up. Undefined when no such string exists
 * (a prefix of U+10FFFF only): the range then has no upper end.
 */
export function prefixEnd(prefix: string): string | undefined {
  const points = [...prefix];
  while (points.length > 0) {
    const last = points.pop()!.codePointAt(0)!;
    if (last < 0x10ffff) {
      // Past the surrogates, which no well-formed string holds alone.
      const next = last + 1 === 0xd800 ? 0xe000 : last + 1;
      return points.join('') + String.fromCodePoint(next);
    }
  }
  return undefined;
}

/** Strings in code-point order (Firestore's), not UTF-16 order: U+FF5E before U+1F600. */
export function byCodePoint(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0)! - y[i].codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}
