import { writeFileSync } from 'node:fs';
import { bundleWorkflowCode } from '@temporalio/worker';
import { workflowsPath } from '../../src/runtime/journey-worker';

/**
 * Bundles the workflow code once and hands it to every test worker through
 * CAIRN_TEST_WORKFLOW_BUNDLE (read by testWorkflowBundle): bundling per worker is the slow part.
 */
export async function bundleWorkflowsForTests(bundlePath: string): Promise<void> {
  const bundle = await bundleWorkflowCode({ workflowsPath, logger: quietBundler });
  writeFileSync(bundlePath, bundle.code);
  process.env.CAIRN_TEST_WORKFLOW_BUNDLE = bundlePath;
}

/** Only the bundler's warnings and errors: the rest is webpack's progress chatter. */
const quietBundler = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};
