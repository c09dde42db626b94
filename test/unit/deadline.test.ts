import { lateCallsSettled, withDeadline } from '../../functions/adapters/deadline';
import { BackendUnavailable } from '../../functions/domain/backend-unavailable';

/** A call that settles when the test says so. */
function heldCall() {
  let settle: (outcome: 'fulfil' | 'reject') => void = () => undefined;
  const call = new Promise<string>((resolve, reject) => {
    settle = (outcome) => (outcome === 'fulfil' ? resolve('late value') : reject(new Error('late failure')));
  });
  return { call: () => call, settle: (outcome: 'fulfil' | 'reject') => settle(outcome) };
}

describe('calls left running past their deadline', () => {
  it('answer the caller at the deadline as before, the call carried as `late`', async () => {
    const held = heldCall();
    const error = await withDeadline('firestore', 1, held.call).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailable);
    held.settle('fulfil');
    await expect((error as BackendUnavailable).late).resolves.toBe('late value');
  });

  it('are waited for by a shutdown until each has settled, whether it fulfils or rejects', async () => {
    const first = heldCall();
    const second = heldCall();
    await expect(withDeadline('firestore', 1, first.call)).rejects.toBeInstanceOf(BackendUnavailable);
    await expect(withDeadline('storage', 1, second.call)).rejects.toBeInstanceOf(BackendUnavailable);
    let settled = false;
    const waiting = lateCallsSettled(60_000).then(() => (settled = true));
    first.settle('fulfil');
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    second.settle('reject');
    await waiting;
    expect(settled).toBe(true);
  });

  it('are told once their caller has its answer, so that a call of several steps starts no further one', async () => {
    const firstStep = heldCall();
    const steps: string[] = [];
    const call = withDeadline('firestore', 1, async (answered) => {
      await firstStep.call();
      if (answered.aborted) return 'stopped';
      steps.push('second step');
      return 'done';
    });
    const error = await call.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailable);
    firstStep.settle('fulfil');
    await expect((error as BackendUnavailable).late).resolves.toBe('stopped');
    expect(steps).toEqual([]);
  });

  it('answered in time, are never told to stop', async () => {
    let told: AbortSignal | undefined;
    await expect(withDeadline('firestore', 60_000, async (answered) => ((told = answered), 'value'))).resolves.toBe('value');
    expect(told?.aborted).toBe(false);
  });

  it('hold a shutdown no longer than its limit when a backend never answers', async () => {
    const never = heldCall();
    await expect(withDeadline('firestore', 1, never.call)).rejects.toBeInstanceOf(BackendUnavailable);
    await lateCallsSettled(1);
    never.settle('fulfil');
  });
});
