import * as domain from 'node:domain';
import { leaveRequestDomain } from '../../functions/http/outside-domain';

const activeDomain = () => (process as { domain?: unknown }).domain ?? undefined;

describe('leaveRequestDomain', () => {
  it('runs what follows, and what it awaits, outside the domain the framework opened for the request', async () => {
    const seen: unknown[] = [];
    const handler = async () => {
      leaveRequestDomain();
      seen.push(activeDomain());
      await new Promise((resolve) => setTimeout(resolve, 1));
      seen.push(activeDomain());
    };
    const request = domain.create();
    let handled: Promise<void> | undefined;
    request.run(() => {
      seen.push(activeDomain());
      handled = handler();
    });
    await handled;
    expect(seen).toEqual([request, undefined, undefined]);
  });
});
