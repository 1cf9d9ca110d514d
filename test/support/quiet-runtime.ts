import { DefaultLogger, Runtime } from '@temporalio/worker';

// Worker lifecycle chatter drowns test output; warnings and errors still show.
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // Already installed in this worker process.
}
