import { claimMessageIds, acceptedMessageIds } from '../../src/ingestion/message-ledger';
import {
  ensureHousekeepingSchedule,
  housekeepingScheduleId,
} from '../../src/runtime/housekeeping-schedule';
import { HOUSEKEEPING_WORKFLOW_TYPE } from '../../src/workflows/housekeeping-names';
import { startCairnTestStack, type CairnTestStack } from '../support/cairn-stack';

/**
 * Housekeeping on the dev server with a real worker: the daily schedule every worker ensures (one
 * per task queue, its state kept when a worker starts again), and the workflow it starts, which
 * forgets Segment-spec messageIds older than the retention and keeps the newer.
 */

const DAY = 86_400_000;
const RETENTION = 30 * DAY;

let stack: CairnTestStack;
beforeAll(async () => {
  stack = await startCairnTestStack();
});
afterAll(async () => {
  await stack.temporal.schedule
    .getHandle(housekeepingScheduleId(stack.taskQueue))
    .delete()
    .catch(() => undefined);
  await stack?.close();
});

it('keeps one daily schedule per task queue, with its state, as workers start', async () => {
  const options = { taskQueue: stack.taskQueue, specMessageRetentionMs: RETENTION };
  expect(await ensureHousekeepingSchedule(stack.temporal, options)).toMatchObject({
    created: true,
  });
  const handle = stack.temporal.schedule.getHandle(housekeepingScheduleId(stack.taskQueue));
  await handle.pause('paused by the test');
  expect(await ensureHousekeepingSchedule(stack.temporal, options)).toMatchObject({
    created: false,
  });
  const described = await handle.describe();
  expect(described.state.paused).toBe(true);
  expect(described.policies.overlap).toBe('SKIP');
  expect(described.spec.intervals).toMatchObject([{ every: DAY }]);
  expect(described.action).toMatchObject({
    workflowType: HOUSEKEEPING_WORKFLOW_TYPE,
    taskQueue: stack.taskQueue,
    args: [{ specMessageRetentionMs: RETENTION }],
  });
});

it('forgets the messageIds older than the retention and keeps the newer', async () => {
  const at = (daysAgo: number) => new Date(Date.now() - daysAgo * DAY);
  const accept = (messageId: string, receivedAt: Date) =>
    claimMessageIds(stack.database.db, [{ messageId, type: 'track' }], receivedAt);
  await accept('hk-old', at(45));
  await accept('hk-recent', at(2));
  const result: unknown = await stack.temporal.workflow.execute(HOUSEKEEPING_WORKFLOW_TYPE, {
    workflowId: `housekeeping-test:${stack.taskQueue}`,
    taskQueue: stack.taskQueue,
    args: [{ specMessageRetentionMs: RETENTION }],
  });
  expect(result).toEqual({ specMessagesDeleted: 1 });
  expect(await acceptedMessageIds(stack.database.db, ['hk-old', 'hk-recent'])).toEqual(
    new Set(['hk-recent']),
  );
});
