import { Firestore } from '@google-cloud/firestore';
import { FirestoreEventFeed } from '../../functions/adapters/firestore-event-feed';
import { FirestoreFileRecords } from '../../functions/adapters/firestore-file-records';
import { FirestoreQuotas } from '../../functions/adapters/firestore-quotas';
import { isolatedNames } from '../support/stack';
import { portsContract } from '../unit/ports-contract';

// The Firestore emulator of the Jest global setup, in a project of this file's own.
const db = new Firestore({ projectId: isolatedNames(__filename).projectId });
afterAll(() => db.terminate());

// 30 s, not production's 10: the deadline is not what these tests assert, and the contract's 12 concurrent
// updates of one record are a dozen rounds of read and conditional commit (about 3 s at a load average of 15)
// that a loaded CI run must not turn into 'firestore unavailable'.
const DEADLINE_MS = 30_000;

portsContract('Firestore adapter', () => ({
  records: new FirestoreFileRecords(db, DEADLINE_MS),
  quotas: new FirestoreQuotas(db, { maxOpenSessions: 1000, maxStoredBytes: 2 ** 50 }, DEADLINE_MS),
  // The emulator commits one write at a time, and its server timestamp is the commit's time: a millisecond settles them.
  events: new FirestoreEventFeed(db, DEADLINE_MS, 1),
}));
