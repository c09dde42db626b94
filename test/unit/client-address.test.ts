import type { IncomingMessage } from 'node:http';
import { clientAddress } from '../../functions/http/client-address';

const request = (forwardedFor?: string | string[]) =>
  ({
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
    socket: { remoteAddress: '10.0.0.1' },
  }) as unknown as IncomingMessage;

describe('clientAddress', () => {
  it('is the socket peer without X-Forwarded-For, or with hops 0', () => {
    expect(clientAddress(request(), 1)).toBe('10.0.0.1');
    expect(clientAddress(request('198.51.100.7'), 0)).toBe('10.0.0.1');
  });

  it('is the entry `hops` from the end, whatever the client wrote before it', () => {
    expect(clientAddress(request('1.1.1.1, 198.51.100.7'), 1)).toBe('198.51.100.7');
    expect(clientAddress(request(['1.1.1.1', '198.51.100.7 , 203.0.113.9']), 2)).toBe('198.51.100.7');
  });

  it('is the socket peer when the header has fewer entries than hops', () => {
    expect(clientAddress(request('198.51.100.7'), 2)).toBe('10.0.0.1');
    expect(clientAddress(request(' , '), 1)).toBe('10.0.0.1');
  });
});
