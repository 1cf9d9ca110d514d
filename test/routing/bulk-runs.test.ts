import { eq } from 'drizzle-orm';
import type { CancelRunsResult, StartRunBatchResult } from '../../src/contract/runs';
import { journeyRuns } from '../../src/db/schema';
import { stateQuery } from '../../src/workflows/messages';
import { startCairnTestStack, type CairnTestStack } from '../support/cairn-stack';
import { eventually } from '../support/eventually';

const RUNS = 40;
let stack: CairnTestStack;
beforeAll(async () => {
  stack = await startCairnTestStack();
  for (let i = 0; i < RUNS; i += 1) {
    await stack.request('PUT', `/v1/customers/p-${i}`, { email: `p-${i}@example.test` });
  }
  const published = await stack.request('POST', '/v1/journeys', {
    id: 'parked',
    name: 'Parked for an hour',
    trigger: { event: 'parked_started' },
    reEntry: { mode: 'after_exit' },
    entry: 'hold',
    steps: [
      { id: 'hold', type: 'wait', for: '1h', next: 'mail' },
      {
        id: 'mail',
        type: 'send',
        channel: 'email',
        content: { subject: 'Later', html: '<p>Later</p>' },
        next: 'done',
      },
      { id: 'done', type: 'exit' },
    ],
  });
  expect(published.status).toBe(201);
});
afterAll(async () => stack.close());

describe('bulk starts and cancels on the real worker', () => {
  it('starts runs that park on their wait, then cancels them all by journey', async () => {
    const started = await stack.request<StartRunBatchResult>(
      'POST',
      '/v1/journeys/parked/runs/batch',
      { items: Array.from({ length: RUNS }, (_, i) => ({ customerId: `p-${i}` })) },
    );
    expect(started.status).toBe(200);
    expect(started.body.counts.started).toBe(RUNS);
    const workflowIds = started.body.items.map((item) => item.workflowId as string);

    // Each run reaches its wait (the worker ran its first workflow task) and sends nothing.
    for (const workflowId of workflowIds) {
      await eventually(
        async () =>
          (await stack.temporal.workflow.getHandle(workflowId).query(stateQuery)).waiting !== null,
        { describe: `${workflowId} waits` },
      );
    }

    const cancelled = await stack.request<CancelRunsResult>('POST', '/v1/runs/cancel', {
      journeyId: 'parked',
      reason: 'bulk test',
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.next).toBeNull();
    expect(cancelled.body.items.map((item) => item.outcome)).toEqual(
      Array.from({ length: RUNS }, () => 'cancel_requested'),
    );
    // The runs end in Temporal and record their end in the registry themselves.
    await eventually(
      async () => {
        const rows = await stack.database.db
          .select()
          .from(journeyRuns)
          .where(eq(journeyRuns.journeyId, 'parked'));
        return rows.length === RUNS && rows.every((row) => row.status === 'cancelled');
      },
      { describe: 'every parked run recorded as cancelled', timeoutMs: 60_000 },
    );
    // The registry is written by the run's last local activity, just before its workflow closes.
    await eventually(
      async () =>
        (await stack.temporal.workflow.getHandle(workflowIds[0]!).describe()).status.name !==
        'RUNNING',
      { describe: 'the first run closed in Temporal' },
    );
    expect(stack.smtp.messages).toHaveLength(0);

    // Cancelling again finds nothing running: the journey's page is empty.
    const again = await stack.request<CancelRunsResult>('POST', '/v1/runs/cancel', {
      journeyId: 'parked',
    });
    expect(again.body).toEqual({ items: [], next: null });
  });
});
