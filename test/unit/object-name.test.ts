import { gcsPath, MAX_OBJECT_NAME_BYTES, safeObjectFilename } from '../../functions/domain/object-name';

describe('gcsPath', () => {
  it('is files/{org}/{file_id}/{name}', () => {
    expect(gcsPath('org_123', 'file_abc', 'large_video.mp4')).toBe('files/org_123/file_abc/large_video.mp4');
  });

  it('replaces characters unsafe in object names and keeps the rest', () => {
    expect(safeObjectFilename('a#b[c]*d?e.txt', 100)).toBe('a_b_c__d_e.txt');
    expect(safeObjectFilename('tab\there\u0085.pdf', 100)).toBe('tab_here_.pdf');
    expect(safeObjectFilename('résumé 2024 (final).pdf', 100)).toBe('résumé 2024 (final).pdf');
  });

  it('keeps direction controls and invisible characters out of the object name', () => {
    expect(safeObjectFilename('invoice\u202efdp.exe', 100)).toBe('invoice_fdp.exe');
    for (const ch of [
      '\u200b',
      '\u200c',
      '\u200d',
      '\u200e',
      '\u200f',
      '\u2066',
      '\u2067',
      '\u2068',
      '\u2069',
      '\u202a',
      '\ufeff',
      '\u2028',
      '\u2029',
      '\u061c',
    ]) {
      expect(safeObjectFilename(`a${ch}b.txt`, 100)).toBe('a_b.txt');
    }
  });

  it('stores names in NFC', () => {
    expect(safeObjectFilename('re\u0301sume\u0301.pdf', 100)).toBe('r\u00e9sum\u00e9.pdf');
  });

  it('fits 1024 bytes even for 255 four-byte characters, keeping the extension and whole characters', () => {
    const name = '😀'.repeat(251) + '.mp4';
    const path = gcsPath('org_with_a_rather_long_identifier_0123456789', 'file_ABCDEFGHIJKLMNOPQRSTUVWX', name);
    expect(Buffer.byteLength(path)).toBeLessThanOrEqual(MAX_OBJECT_NAME_BYTES);
    expect(path.endsWith('😀.mp4')).toBe(true);
    expect(path).not.toContain('\ufffd');
  });
});
