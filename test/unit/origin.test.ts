import { parseOrigin } from '../../functions/domain/origin';

describe('parseOrigin', () => {
  it.each([
    ['https://app.example.com', 'https://app.example.com'],
    ['http://localhost:5173', 'http://localhost:5173'],
    ['http://[::1]:8080', 'http://[::1]:8080'],
    ['http://my_host.internal', 'http://my_host.internal'],
    ['chrome-extension://abcdefghijklmnopabcdefghijklmnop', 'chrome-extension://abcdefghijklmnopabcdefghijklmnop'],
    ['moz-extension://0b5e6f3e-1111-2222-3333-444455556666', 'moz-extension://0b5e6f3e-1111-2222-3333-444455556666'],
    ['https://a.com:443', 'https://a.com'],
    ['HTTPS://A.COM', 'https://a.com'],
    ['http://127.0.0.1:65535', 'http://127.0.0.1:65535'],
  ])('takes %s as %s', (header, origin) => {
    expect(parseOrigin(header)).toBe(origin);
  });

  it.each([
    'http://a.com:99999',
    'http://a.com:-1',
    'http://-',
    'http://-a.com',
    'http://a..com',
    'http://a.com.',
    `http://${'a'.repeat(8000)}`,
    `http://${'a'.repeat(64)}.com`,
    'https://a.com/',
    'https://a.com/x',
    'https://a.com?x',
    'https://a.com#x',
    'https://user:pw@a.com',
    'ftp://a.com',
    'javascript://a.com',
    'file://',
    'a.com',
    '',
    ' https://a.com',
    'http://a b.com',
    'http://a\\b.com',
  ])('refuses %s', (header) => {
    expect(parseOrigin(header)).toBe('invalid');
  });

  it('treats no header and the opaque origin alike: nothing to pass on', () => {
    expect(parseOrigin(undefined)).toBe('none');
    expect(parseOrigin('null')).toBe('none');
  });
});
