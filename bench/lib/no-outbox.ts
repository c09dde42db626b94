// Preloaded into a function under a benchmark (node -r): the record writes
// leave out their events, so upload-url can be timed with and without the
// outbox in one run (bench/upload-url-vs-bare.ts --without-outbox). Never in
// a deployed function: the outbox is what makes every change reach the feed.
import * as events from '../../functions/adapters/firestore-events';

(events as { addEvents: typeof events.addEvents }).addEvents = () => undefined;
