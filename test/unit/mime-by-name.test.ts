import { mimeTypeFor as functionGuess } from '../../functions/domain/mime-by-name';
import { mimeTypeFor as sdkGuess } from '@files-api/sdk';
import table from '../../schemas/mime-by-extension.json';

// Both builds generate their table from schemas/mime-by-extension.json: a file gets the same type either way.
describe.each([
  ['the function', functionGuess],
  ['the SDK', sdkGuess],
])('the type %s guesses from a filename', (_, guess) => {
  it.each(Object.entries(table))('.%s is %s, in any case', (ext, type) => {
    expect([guess(`a.${ext}`), guess(`Report.${ext.toUpperCase()}`)]).toEqual([type, type]);
  });

  it.each(['a.unknownext', 'no-extension', '.hidden'])('%s is octet-stream', (name) => {
    expect(guess(name)).toBe('application/octet-stream');
  });
});
