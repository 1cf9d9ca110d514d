import { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { registerSearchAttributes } from '../../src/dev/register-search-attributes';
import { temporalTestServerPath } from '../../src/dev/tools';

/** The dev server that global-setup started for this jest run. */
export function testTemporalAddress(): string {
  const address = process.env.CAIRN_TEST_TEMPORAL_ADDRESS;
  if (!address) throw new Error('CAIRN_TEST_TEMPORAL_ADDRESS is unset: run the tests through jest');
  return address;
}

export async function connectTestClient(): Promise<{ client: Client; connection: Connection }> {
  const connection = await Connection.connect({ address: testTemporalAddress() });
  return { client: new Client({ connection }), connection };
}

/** The workflow bundle global-setup built once for this jest run. */
export function testWorkflowBundle(): { codePath: string } {
  const codePath = process.env.CAIRN_TEST_WORKFLOW_BUNDLE;
  if (!codePath) throw new Error('CAIRN_TEST_WORKFLOW_BUNDLE is unset: run the tests through jest');
  return { codePath };
}

/** A time-skipping server of this test file's own, with Cairn's search attributes registered. */
export async function createTimeSkippingEnvironment(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: temporalTestServerPath() } },
  });
  await registerSearchAttributes(env.connection);
  return env;
}
