import { normalizeMimeType } from '../../functions/domain/mime-type';

describe('normalizeMimeType', () => {
  it('lower-cases type, subtype and parameter names, keeping values', () => {
    expect(normalizeMimeType('Video/MP4')).toBe('video/mp4');
    expect(normalizeMimeType('multipart/Mixed; Boundary="AbC;d"')).toBe('multipart/mixed; boundary="AbC;d"');
    expect(normalizeMimeType('text/plain;charset=UTF-8')).toBe('text/plain; charset=UTF-8');
  });
});
