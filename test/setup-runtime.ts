import { DefaultLogger, Runtime } from '@temporalio/worker';

// workers in tests log warnings and errors only; state-change chatter would bury the failures
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // already installed in this jest worker process by an earlier suite
}
