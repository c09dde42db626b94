import { MemoryBackends } from '../../functions/adapters/in-memory';
import { portsContract } from './ports-contract';

const backends = new MemoryBackends();
portsContract('in-memory adapter', () => ({ records: backends, quotas: backends, events: backends }));
