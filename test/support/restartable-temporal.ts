import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTemporalDevServer, type DevServer } from '../../src/dev/temporal-dev-server';

/**
 * A Temporal dev server of one test's own, persisted to a file so the test can stop it (an
 * outage) and start it again: the first start picks a port (retrying if it is taken), every
 * restart binds the same one, so clients connected before reconnect to it.
 */
export interface RestartableTemporal {
  start(): Promise<DevServer>;
  /** Removes the server's files; the caller stops the server first. */
  remove(): void;
}

export function restartableTemporal(prefix: string): RestartableTemporal {
  const directory = mkdtempSync(path.join(os.tmpdir(), prefix));
  let port: number | undefined;
  return {
    async start() {
      const started = await startTemporalDevServer({
        ...(port === undefined ? {} : { port }),
        dbFile: path.join(directory, 'temporal.db'),
        startTimeoutMs: 60_000,
      });
      port = started.port;
      return started;
    },
    remove: () => rmSync(directory, { recursive: true, force: true }),
  };
}
