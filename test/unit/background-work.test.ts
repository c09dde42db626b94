import { BackgroundWork } from '../../functions/domain/background-work';

const later = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

describe('BackgroundWork', () => {
  it('settles only once every piece of work has, including work added while it waits', async () => {
    const work = new BackgroundWork(() => undefined);
    const done: string[] = [];
    void work.add(
      'first',
      later(20, 'first').then((what) => {
        done.push(what);
        void work.add(
          'second, added by the first',
          later(20, 'second').then((w) => done.push(w)),
        );
      }),
    );
    await work.settled();
    expect(done).toEqual(['first', 'second']);
  });

  it('reports a failure with what failed, and never rejects', async () => {
    const reported: [string, unknown][] = [];
    const work = new BackgroundWork((what, error) => reported.push([what, error]));
    const boom = new Error('boom');
    await expect(work.add('cancel orphaned session', Promise.reject(boom))).resolves.toBeUndefined();
    await work.settled();
    expect(reported).toEqual([['cancel orphaned session', boom]]);
  });

  it('settles at once when nothing runs', async () => {
    await expect(new BackgroundWork(() => undefined).settled()).resolves.toBeUndefined();
  });
});
