import type { PubSub, Topic } from '@google-cloud/pubsub';
import type { DeliveryMessage } from '../webhooks/webhook-store';
import { withDeadline } from './deadline';

/**
 * The delivery queue: a Pub/Sub topic whose push subscription calls the
 * `deliver` function; its retry policy is the backoff (docs/WEBHOOKS.md).
 * The message's attributes say which event goes to which endpoint; the
 * event and the secret are read from Firestore at each attempt.
 */
export class PubSubDeliveries {
  private readonly topic: Topic;

  constructor(
    pubsub: PubSub,
    topicName: string,
    private readonly timeoutMs: number,
  ) {
    // Published at once: a change's webhooks should not wait for a batch to fill.
    this.topic = pubsub.topic(topicName, { batching: { maxMessages: 100, maxMilliseconds: 1 } });
  }

  enqueue(messages: DeliveryMessage[]): Promise<void> {
    return withDeadline('pubsub', this.timeoutMs, async () => {
      await Promise.all(messages.map((m) => this.topic.publishMessage({ data: Buffer.from(JSON.stringify(m)), attributes: { ...m } })));
    });
  }
}
