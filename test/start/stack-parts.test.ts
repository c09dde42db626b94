import type { ManagedProcess } from '../../scripts/local-stack/managed-process';
import { StackParts } from '../../scripts/local-stack/stack-parts';

function part(name: string, stopped: string[], holdsData = false): ManagedProcess {
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

describe('StackParts.stop', () => {
  it('stops the rest in reverse order of starting, then the emulators, so nothing writes while Firestore saves', async () => {
    const stopped: string[] = [];
    const parts = new StackParts();
    parts.add(part('files', stopped));
    parts.add(part('firestore', stopped, true));
    parts.add(part('finalize', stopped));
    parts.add(part('storage', stopped, true));
    parts.add(part('schedule', stopped));
    await parts.stop();
    expect(stopped).toEqual(['schedule', 'finalize', 'files', 'storage', 'firestore']);
  });
});
