import { StartedSet, type Started } from '../../scripts/processes';

function started(name: string, stopped: string[], holdsData = false): Started {
  return {
    name,
    pid: undefined,
    exited: new Promise<string>(() => undefined),
    holdsData,
    stop: async () => {
      stopped.push(name);
    },
  };
}

describe('StartedSet.stop', () => {
  it('stops the rest in reverse order of starting, then the emulators, so nothing writes while Firestore saves', async () => {
    const stopped: string[] = [];
    const set = new StartedSet();
    set.add(started('files', stopped));
    set.add(started('firestore', stopped, true));
    set.add(started('finalize', stopped));
    set.add(started('storage', stopped, true));
    set.add(started('schedule', stopped));
    await set.stop();
    expect(stopped).toEqual(['schedule', 'finalize', 'files', 'storage', 'firestore']);
  });
});
