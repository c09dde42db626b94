import { startPubSub } from '../../emulator/pubsub';
import { DEFAULT_WEBHOOK_TOPIC } from '../../functions/config';
import type { StartedSet } from '../processes';
import { hostAndPort } from './service-url';
import type { StackConfig } from './stack-config';

/**
 * Webhooks on the local stack as the deploy makes them: Google's Pub/Sub
 * emulator, the delivery topic, and a push subscription to the `deliver`
 * function with a retry policy (the emulator retries a failed push with
 * growing delays of its own: docs/WEBHOOKS.md). Added to `started`; resolves
 * to the emulator's host:port.
 */
export async function startStackWebhooks(config: StackConfig, started: StartedSet, deliverUrl: string): Promise<string> {
  const emulator = await startPubSub(config.pubsub);
  // It keeps nothing across restarts, so it holds no data worth stopping last.
  started.add({ name: 'Pub/Sub emulator', pid: emulator.pid, exited: emulator.exited, stop: () => emulator.stop() });
  const project = `http://${hostAndPort(config.pubsub)}/v1/projects/${config.projectId}`;
  const put = async (path: string, body?: unknown) => {
    const res = await fetch(`${project}/${path}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    // 409: there already (a second call is harmless).
    if (!res.ok && res.status !== 409) throw new Error(`Pub/Sub emulator: PUT ${path} answered ${res.status}: ${await res.text()}`);
  };
  await put(`topics/${DEFAULT_WEBHOOK_TOPIC}`);
  await put(`subscriptions/${DEFAULT_WEBHOOK_TOPIC}-push`, {
    topic: `projects/${config.projectId}/topics/${DEFAULT_WEBHOOK_TOPIC}`,
    pushConfig: { pushEndpoint: `${deliverUrl}/` },
    retryPolicy: { minimumBackoff: '10s', maximumBackoff: '600s' },
    ackDeadlineSeconds: 60,
  });
  return emulator.host;
}
