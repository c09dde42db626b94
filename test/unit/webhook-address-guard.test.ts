import { AddressRefused, checkedTarget, refusedAddress, refusedUrl, type Resolver } from '../../functions/webhooks/address-guard';

const production = { allowLoopback: false };
const local = { allowLoopback: true };

describe('refusedAddress (production)', () => {
  test.each([
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '127.0.0.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    '::',
    'fd00::1',
    'fe80::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    '224.0.0.1',
  ])('refuses %s', (address) => {
    expect(refusedAddress(address, production)).toMatch(/not a public address/);
  });

  test.each(['8.8.8.8', '142.250.1.1', '2607:f8b0:4004:800::200e'])('allows %s', (address) => {
    expect(refusedAddress(address, production)).toBeUndefined();
  });

  test('loopback only where allowed, and nothing else private even then', () => {
    expect(refusedAddress('127.0.0.1', local)).toBeUndefined();
    expect(refusedAddress('::1', local)).toBeUndefined();
    expect(refusedAddress('10.0.0.1', local)).toMatch(/not a public address/);
    expect(refusedAddress('169.254.169.254', local)).toMatch(/not a public address/);
  });
});

describe('refusedUrl', () => {
  test('https only in production; http where loopback is allowed', () => {
    expect(refusedUrl(new URL('http://example.com/'), production)).toMatch(/https/);
    expect(refusedUrl(new URL('https://example.com/'), production)).toBeUndefined();
    expect(refusedUrl(new URL('http://127.0.0.1:8080/'), local)).toBeUndefined();
  });

  test('the metadata server by name, credentials and literal private addresses', () => {
    expect(refusedUrl(new URL('https://metadata.google.internal/computeMetadata/v1/'), production)).toMatch(/metadata/);
    expect(refusedUrl(new URL('https://METADATA.google.internal./'), local)).toMatch(/metadata/);
    expect(refusedUrl(new URL('https://user:pw@example.com/'), production)).toMatch(/credentials/);
    expect(refusedUrl(new URL('https://169.254.169.254/'), production)).toMatch(/not a public address/);
    expect(refusedUrl(new URL('https://[::ffff:a9fe:a9fe]/'), production)).toMatch(/not a public address/);
  });
});

describe('checkedTarget with a stubbed resolver (no traffic is sent)', () => {
  const resolverOf =
    (answers: Record<string, string[]>): Resolver =>
    async (host) => {
      const found = answers[host];
      if (!found) throw new Error('ENOTFOUND');
      return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    };

  test('a public name passes and answers the address to connect to', async () => {
    const resolve = resolverOf({ 'hooks.example.com': ['93.184.216.34'] });
    await expect(checkedTarget(new URL('https://hooks.example.com/x'), production, resolve)).resolves.toEqual({
      address: '93.184.216.34',
      family: 4,
    });
  });

  test.each([
    ['a private address', ['10.0.0.5']],
    ['the metadata address', ['169.254.169.254']],
    ['loopback', ['127.0.0.1']],
    ['one bad address among good ones', ['93.184.216.34', '192.168.0.10']],
    ['a unique-local IPv6 address', ['fd12::1']],
  ])('a name resolving to %s is refused', async (_, addresses) => {
    const resolve = resolverOf({ 'evil.example.com': addresses });
    await expect(checkedTarget(new URL('https://evil.example.com/'), production, resolve)).rejects.toBeInstanceOf(AddressRefused);
  });

  test('a name that changes its answer (DNS rebinding) is refused at the next check', async () => {
    const answers: Record<string, string[]> = { 'rebind.example.com': ['93.184.216.34'] };
    const resolve = resolverOf(answers);
    await expect(checkedTarget(new URL('https://rebind.example.com/'), production, resolve)).resolves.toBeDefined();
    answers['rebind.example.com'] = ['127.0.0.1'];
    await expect(checkedTarget(new URL('https://rebind.example.com/'), production, resolve)).rejects.toThrow(/not a public address/);
  });

  test('plain http to a public name is refused even where loopback is allowed', async () => {
    const resolve = resolverOf({ 'hooks.example.com': ['93.184.216.34'], localhost: ['127.0.0.1'] });
    await expect(checkedTarget(new URL('http://hooks.example.com/'), local, resolve)).rejects.toThrow(/loopback only/);
    await expect(checkedTarget(new URL('http://localhost:9/'), local, resolve)).resolves.toEqual({ address: '127.0.0.1', family: 4 });
  });

  test('a name that does not resolve is refused', async () => {
    await expect(checkedTarget(new URL('https://nowhere.example.com/'), production, resolverOf({}))).rejects.toThrow(/does not resolve/);
  });
});
