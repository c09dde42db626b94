import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mimeTypeFor as functionGuess } from '../../functions/domain/mime-by-name';
import { mimeTypeFor as sdkGuess } from '../../packages/sdk/src/mime-type';

describe('the type a direct upload guesses from a filename', () => {
  it('is the SDK’s, for every extension either table knows', () => {
    const extensions = (path: string) => [...readFileSync(path, 'utf8').matchAll(/^ {2}'?([a-z0-9]+)'?: '/gm)].map((m) => m[1]);
    const known = new Set([
      ...extensions(join(__dirname, '../../functions/domain/mime-by-name.ts')),
      ...extensions(join(__dirname, '../../packages/sdk/src/mime-type.ts')),
    ]);
    expect(known.size).toBeGreaterThan(30);
    for (const ext of [...known, 'unknownext']) expect([ext, functionGuess(`a.${ext.toUpperCase()}`)]).toEqual([ext, sdkGuess(`a.${ext}`)]);
  });
});
