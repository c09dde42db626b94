import { badRequest } from './errors';

/** A `matchGlob` pattern of objects.list as a RegExp over whole object names:
 * `*` any run of characters but `/`; `**` any run including `/` (and `a/**\/b` also
 * matches `a/b`); `?` one character but `/`; `[abc]`, `[a-z]`, `[!a-z]` one character
 * of (or not of) a set; `{x,y}` one of the alternatives (which may hold wildcards);
 * `\` makes the next character literal. */
export function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${new GlobParser(glob).sequence(false)}$`, 'su');
}

class GlobParser {
  private at = 0;
  /** Code points, so `?` and classes take a whole character beyond the BMP. */
  private readonly chars: string[];

  constructor(private readonly glob: string) {
    this.chars = Array.from(glob);
  }

  done(): boolean {
    return this.at >= this.chars.length;
  }

  /** Reads until the end, or (within braces) until an unescaped `,` or `}`. */
  sequence(inBraces: boolean): string {
    let out = '';
    while (!this.done()) {
      const c = this.chars[this.at];
      if (inBraces && (c === ',' || c === '}')) return out;
      this.at += 1;
      if (c === '\\') {
        out += literal(this.chars[this.at] ?? '\\');
        this.at += 1;
      } else if (c === '*') {
        out += this.star();
      } else if (c === '?') {
        out += '[^/]';
      } else if (c === '[') {
        out += this.bracket() ?? literal('[');
      } else if (c === '{') {
        out += this.braces();
      } else {
        out += literal(c);
      }
    }
    if (inBraces) throw badRequest(`Invalid matchGlob: unclosed "{" in ${JSON.stringify(this.glob)}`);
    return out;
  }

  private star(): string {
    const start = this.at - 1;
    if (this.chars[this.at] !== '*') return '[^/]*';
    while (this.chars[this.at] === '*') this.at += 1;
    const segmentStart = start === 0 || this.chars[start - 1] === '/';
    if (segmentStart && this.chars[this.at] === '/') {
      this.at += 1;
      return '(?:.*/)?';
    }
    return '.*';
  }

  /** A character class, or undefined (and nothing consumed) when no `]` closes it. */
  private bracket(): string | undefined {
    let i = this.at;
    let negate = false;
    if (this.chars[i] === '!' || this.chars[i] === '^') {
      negate = true;
      i += 1;
    }
    let body = '';
    let first = true;
    while (i < this.chars.length && (first || this.chars[i] !== ']')) {
      let c = this.chars[i];
      if (c === '\\' && i + 1 < this.chars.length) {
        i += 1;
        c = this.chars[i];
      }
      if (this.chars[i + 1] === '-' && i + 2 < this.chars.length && this.chars[i + 2] !== ']') {
        const to = this.chars[i + 2];
        if (to < c) throw badRequest(`Invalid matchGlob: range ${c}-${to} is out of order`);
        body += `${classChar(c)}-${classChar(to)}`;
        i += 3;
      } else {
        body += classChar(c);
        i += 1;
      }
      first = false;
    }
    if (i >= this.chars.length) return undefined;
    this.at = i + 1;
    return `[${negate ? '^' : ''}${body}]`;
  }

  private braces(): string {
    const alternatives: string[] = [];
    for (;;) {
      alternatives.push(this.sequence(true));
      const c = this.chars[this.at];
      this.at += 1;
      if (c === '}') return `(?:${alternatives.join('|')})`;
    }
  }
}

function literal(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function classChar(c: string): string {
  return c.replace(/[\\\]^[-]/g, '\\$&');
}
