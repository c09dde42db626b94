import { Webhook } from 'standardwebhooks';
import { verifyWebhook } from '../../packages/sdk/src/verify-webhook';

const secret = `whsec_${Buffer.alloc(32, 3).toString('base64')}`;
const event = {
  id: 'evt_1',
  object: 'event',
  type: 'file.uploaded',
  created_at: '2026-12-07T10:00:00.000Z',
  organization_id: 'org_1',
  data: {},
};
const body = JSON.stringify(event);

function signed(at = new Date()) {
  return {
    'webhook-id': 'evt_1',
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign('evt_1', at, body),
  };
}

describe('verifyWebhook', () => {
  test('answers the event of a delivery signed with the secret, from Node or fetch headers', () => {
    expect(verifyWebhook(body, signed(), secret)).toEqual(event);
    expect(verifyWebhook(Buffer.from(body), new Headers(signed()), secret)).toEqual(event);
  });

  test('throws on a tampered body, another secret or a stale timestamp', () => {
    expect(() => verifyWebhook(body.replace('uploaded', 'deleted'), signed(), secret)).toThrow();
    expect(() => verifyWebhook(body, signed(), `whsec_${Buffer.alloc(32, 4).toString('base64')}`)).toThrow();
    expect(() => verifyWebhook(body, signed(new Date(Date.now() - 10 * 60_000)), secret)).toThrow();
  });
});
