// `npm start`: all of Cairn in one process on embedded defaults — a Temporal dev server with its
// Web UI, PGlite (unless DATABASE_URL is set), a local mail sink (unless SMTP_URL is set), the
// worker, the event router and the HTTP API.
import path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { loadConfig } from '../config';
import { startCairn } from './embedded-stack';
import { projectRoot } from './tools';

async function main(): Promise<void> {
  const config = loadConfig();
  // The SDK's worker chatter (bundling, state changes) only at debug levels.
  const sdkLevel = config.logLevel === 'debug' || config.logLevel === 'trace' ? 'DEBUG' : 'WARN';
  Runtime.install({ logger: new DefaultLogger(sdkLevel) });
  const stack = await startCairn(config, { stateDir: path.join(projectRoot, '.cairn') });
  console.log(stack.banner);
  const shutdown = () => {
    console.log('\ncairn: shutting down…');
    stack.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
