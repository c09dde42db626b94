import { badRequest } from './errors';

/** Whether one character (a code point) may be taken here. */
type CharTest = (c: string) => boolean;

/** A parsed glob: characters, runs of characters, alternatives, and an optional part. */
type Part =
  | { kind: 'one'; test: CharTest }
  | { kind: 'run'; test: CharTest }
  | { kind: 'either'; alternatives: Part[][] }
  | { kind: 'maybe'; parts: Part[] };

/** A compiled `matchGlob`. `steps` counts the automaton states visited so far, so a test can see
 * that the work grows with the name's length times the pattern's, never exponentially. */
export interface GlobMatcher {
  test(name: string): boolean;
  readonly steps: number;
}

/** A `matchGlob` pattern of objects.list, matched against whole object names:
 * `*` any run of characters but `/`; `**` any run including `/` (and `a/**\/b` also
 * matches `a/b`); `?` one character but `/`; `[abc]`, `[a-z]`, `[!a-z]` one character
 * of (or not of) a set; `{x,y}` one of the alternatives (which may hold wildcards);
 * `\` makes the next character literal.
 *
 * Matched by simulating the pattern's automaton over every state at once (Thompson's
 * construction), not by a backtracking RegExp: `**a**a**a**b` against a long name of `a`s
 * took seconds that way, holding every other request of the emulator. */
export function compileGlob(glob: string): GlobMatcher {
  return new Automaton(new GlobParser(glob).sequence(false));
}

const notSlash: CharTest = (c) => c !== '/';
const anything: CharTest = () => true;
const exactly =
  (want: string): CharTest =>
  (c) =>
    c === want;

class GlobParser {
  private at = 0;
  /** Code points, so `?` and classes take a whole character beyond the BMP. */
  private readonly chars: string[];

  constructor(private readonly glob: string) {
    this.chars = Array.from(glob);
  }

  private done(): boolean {
    return this.at >= this.chars.length;
  }

  /** Reads until the end, or (within braces) until an unescaped `,` or `}`. */
  sequence(inBraces: boolean): Part[] {
    const out: Part[] = [];
    while (!this.done()) {
      const c = this.chars[this.at];
      if (inBraces && (c === ',' || c === '}')) return out;
      this.at += 1;
      if (c === '\\') {
        out.push({ kind: 'one', test: exactly(this.chars[this.at] ?? '\\') });
        this.at += 1;
      } else if (c === '*') {
        out.push(this.star());
      } else if (c === '?') {
        out.push({ kind: 'one', test: notSlash });
      } else if (c === '[') {
        out.push({ kind: 'one', test: this.bracket() ?? exactly('[') });
      } else if (c === '{') {
        out.push(this.braces());
      } else {
        out.push({ kind: 'one', test: exactly(c) });
      }
    }
    if (inBraces) throw badRequest(`Invalid matchGlob: unclosed "{" in ${JSON.stringify(this.glob)}`);
    return out;
  }

  private star(): Part {
    const start = this.at - 1;
    if (this.chars[this.at] !== '*') return { kind: 'run', test: notSlash };
    while (this.chars[this.at] === '*') this.at += 1;
    const segmentStart = start === 0 || this.chars[start - 1] === '/';
    if (segmentStart && this.chars[this.at] === '/') {
      this.at += 1;
      // `**/` is any number of whole directories, none included.
      return {
        kind: 'maybe',
        parts: [
          { kind: 'run', test: anything },
          { kind: 'one', test: exactly('/') },
        ],
      };
    }
    return { kind: 'run', test: anything };
  }

  /** A character class, or undefined (and nothing consumed) when no `]` closes it. */
  private bracket(): CharTest | undefined {
    let i = this.at;
    let negate = false;
    if (this.chars[i] === '!' || this.chars[i] === '^') {
      negate = true;
      i += 1;
    }
    const members: Array<[number, number]> = [];
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
        members.push([codePoint(c), codePoint(to)]);
        i += 3;
      } else {
        members.push([codePoint(c), codePoint(c)]);
        i += 1;
      }
      first = false;
    }
    if (i >= this.chars.length) return undefined;
    this.at = i + 1;
    return (c) => {
      const cp = codePoint(c);
      return members.some(([from, to]) => cp >= from && cp <= to) !== negate;
    };
  }

  private braces(): Part {
    const alternatives: Part[][] = [];
    for (;;) {
      alternatives.push(this.sequence(true));
      const c = this.chars[this.at];
      this.at += 1;
      if (c === '}') return { kind: 'either', alternatives };
    }
  }
}

function codePoint(c: string): number {
  return c.codePointAt(0) as number;
}

/** A state takes one character and moves on, forks without taking one, or accepts. */
type State = { kind: 'take'; test: CharTest; next: number } | { kind: 'fork'; to: number[] } | { kind: 'accept' };

class Automaton implements GlobMatcher {
  private readonly states: State[] = [{ kind: 'accept' }];
  private readonly start: number;
  steps = 0;

  constructor(parts: Part[]) {
    this.start = this.sequence(parts, 0);
  }

  /** The state that matches `parts` and then goes on to `next`. */
  private sequence(parts: Part[], next: number): number {
    let at = next;
    for (let i = parts.length - 1; i >= 0; i--) at = this.part(parts[i], at);
    return at;
  }

  private part(part: Part, next: number): number {
    switch (part.kind) {
      case 'one':
        return this.add({ kind: 'take', test: part.test, next });
      case 'run': {
        const loop = this.add({ kind: 'fork', to: [] });
        (this.states[loop] as { to: number[] }).to.push(this.add({ kind: 'take', test: part.test, next: loop }), next);
        return loop;
      }
      case 'either':
        return this.add({ kind: 'fork', to: part.alternatives.map((alternative) => this.sequence(alternative, next)) });
      case 'maybe':
        return this.add({ kind: 'fork', to: [this.sequence(part.parts, next), next] });
    }
  }

  private add(state: State): number {
    this.states.push(state);
    return this.states.length - 1;
  }

  test(name: string): boolean {
    let current = this.closure([this.start]);
    for (const c of name) {
      const moved: number[] = [];
      for (const at of current) {
        const state = this.states[at];
        if (state.kind === 'take' && state.test(c)) moved.push(state.next);
      }
      if (moved.length === 0) return false;
      current = this.closure(moved);
    }
    return current.includes(0);
  }

  /** The states reachable from `from` without taking a character, each once. */
  private closure(from: number[]): number[] {
    const seen = new Set<number>();
    const pending = [...from];
    while (pending.length > 0) {
      const at = pending.pop() as number;
      if (seen.has(at)) continue;
      seen.add(at);
      this.steps += 1;
      const state = this.states[at];
      if (state.kind === 'fork') pending.push(...state.to);
    }
    return [...seen];
  }
}
