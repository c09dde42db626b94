import { isEventId, newEventId } from '../../functions/domain/file-events';

describe('newEventId', () => {
  it('makes well-formed ids that sort in the order they were made, each with its own random tail, across pool refills', () => {
    // More ids than one pool of random bytes holds (128), all in one millisecond.
    const ids = Array.from({ length: 1000 }, () => newEventId(1_700_000_000_000));
    expect(ids.every(isEventId)).toBe(true);
    expect(ids.every((id) => id.length === 'evt_'.length + 26)).toBe(true);
    expect([...ids].sort()).toEqual(ids);
    const tails = new Set(ids.map((id) => id.slice(-12)));
    expect(tails.size).toBe(ids.length);
  });
});
