import { startPubSubEmulator } from '../../emulator/pubsub/launch';
import { DEFAULT_WEBHOOK_TOPIC } from '../../functions/config';
import type { ManagedProcess } from './managed-process';
import { stopGroup } from './process-group';
import { hostAndPort } from './service-url';
import type { StackConfig } from './stack-config';
import type { StackParts } from './stack-parts';
import { spawnSupervised } from './supervised-child';

/** How often the stack POSTs to the relay function, as the deploy's Cloud Scheduler job does. */
const RELAY_INTERVAL_MS = 60_000;

/**
 * Webhooks on the local stack as the deploy makes them: Google's Pub/Sub
 * emulator, the delivery topic, and a push subscription to the `deliver`
 * function with a retry policy (the emulator retries a failed push with
 * growing delays of its own: docs/WEBHOOKS.md). Registered in `parts`.
 */
export async function startWebhooksPart(config: StackConfig, parts: StackParts, deliverUrl: string): Promise<string> {
  const emulator = await startPubSubEmulator({ ...config.pubsub, spawn: (command, args) => spawnSupervised(command, args) });
  parts.add({
    name: 'Pub/Sub emulator',
    pid: emulator.pid,
    exited: new Promise<string>(() => undefined),
    stop: () => stopGroup(emulator.pid),
  });
  const project = `http://${hostAndPort(config.pubsub)}/v1/projects/${config.projectId}`;
  const put = async (path: string, body?: unknown) => {
    const res = await fetch(`${project}/${path}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    // 409: there already (the emulator keeps nothing across restarts, but a second call is harmless).
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

/** Cloud Scheduler's catch-up job: POST to the relay function every minute (a stand-in, like the sweep schedule). */
export function scheduleRelays(url: string, say: (line: string) => void): ManagedProcess {
  const timer = setInterval(() => {
    fetch(url, { method: 'POST', signal: AbortSignal.timeout(RELAY_INTERVAL_MS) }).then(
      async (res) => {
        const { relayed } = (await res.json().catch(() => ({}))) as { relayed?: number };
        if (!res.ok) say(`relay answered ${res.status} (the relay function's output says why)`);
        else if (relayed) say(`relay: ${relayed} pending event(s) sent on to webhooks`);
      },
      (err: Error) => say(`relay failed: ${err.message}`),
    );
  }, RELAY_INTERVAL_MS);
  return {
    name: 'relay schedule',
    pid: undefined,
    exited: new Promise<string>(() => undefined),
    stop: async () => clearInterval(timer),
  };
}
