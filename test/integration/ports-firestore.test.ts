import { Firestore } from '@google-cloud/firestore';
import { FirestoreEventFeed } from '../../functions/adapters/firestore-event-feed';
import { FirestoreFileRecords } from '../../functions/adapters/firestore-file-records';
import { FirestoreQuotas } from '../../functions/adapters/firestore-quotas';
import { isolatedNames } from '../support/stack';
import { portsContract } from '../unit/ports-contract';

// The Firestore emulator of the Jest global setup, in a project of this file's own.
const db = new Firestore({ projectId: isolatedNames(__filename).projectId });
afterAll(() => db.terminate());

portsContract('Firestore adapter', () => ({
  records: new FirestoreFileRecords(db, 10_000),
  quotas: new FirestoreQuotas(db, { maxOpenSessions: 1000, maxStoredBytes: 2 ** 50 }, 10_000),
  // The emulator commits one write at a time, and its server timestamp is the commit's time: a millisecond settles them.
  events: new FirestoreEventFeed(db, 10_000, 1),
}));
