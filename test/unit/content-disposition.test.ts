import { loadConfig } from '../../functions/config';
import { attachmentDisposition } from '../../functions/domain/content-disposition';

describe('attachmentDisposition', () => {
  it('keeps a plain ASCII name as it is, in both forms', () => {
    expect(attachmentDisposition('video.mp4')).toBe(`attachment; filename="video.mp4"; filename*=UTF-8''video.mp4`);
  });

  it('never lets a control character, quote or backslash into the header', () => {
    const value = attachmentDisposition('a\r\nb\tc\x00d\x7f"e\\f.txt');
    expect(value).not.toMatch(/[\x00-\x1f\x7f]/);
    expect(value).toBe(`attachment; filename="a__b_c_d__e_f.txt"; filename*=UTF-8''a__b_c_d_%22e%5Cf.txt`);
  });

  it('encodes UTF-8 after NFC, and a lone surrogate as U+FFFD', () => {
    expect(attachmentDisposition('e\u0301.txt')).toBe(`attachment; filename="_.txt"; filename*=UTF-8''%C3%A9.txt`);
    expect(attachmentDisposition('x\ud800.txt')).toBe(`attachment; filename="x_.txt"; filename*=UTF-8''x%EF%BF%BD.txt`);
  });

  it("percent-encodes what RFC 8187 does not allow bare: ' ( ) * ; , and space", () => {
    expect(attachmentDisposition("a'(b)*;c, d")).toBe(`attachment; filename="a'(b)*;c, d"; filename*=UTF-8''a%27%28b%29%2A%3Bc%2C%20d`);
  });
});

describe('DOWNLOAD_URL_TTL_SECONDS', () => {
  it('is 15 minutes by default, and at most the week a V4 signature allows', () => {
    expect(loadConfig({ FILES_BUCKET: 'bkt' }).downloadUrlTtlSeconds).toBe(900);
    expect(loadConfig({ FILES_BUCKET: 'bkt', DOWNLOAD_URL_TTL_SECONDS: '604800' }).downloadUrlTtlSeconds).toBe(604800);
    expect(() => loadConfig({ FILES_BUCKET: 'bkt', DOWNLOAD_URL_TTL_SECONDS: '604801' })).toThrow(/DOWNLOAD_URL_TTL_SECONDS/);
    expect(() => loadConfig({ FILES_BUCKET: 'bkt', DOWNLOAD_URL_TTL_SECONDS: '0' })).toThrow(/DOWNLOAD_URL_TTL_SECONDS/);
  });
});
