import type { Customer } from '../../src/contract/customers';
import type { CustomerScore, ScoreRecompute } from '../../src/contract/scores';
import type { Timeline } from '../../src/contract/timeline';
import {
  ensureScoreSchedules,
  scoreScheduleId,
  scoreWorkflowIdPrefix,
} from '../../src/runtime/score-schedule';
import { DAY_MS } from '../../src/scores';
import { startCairnTestStack, type CairnTestStack } from '../support/cairn-stack';

/**
 * The RFM score on its Temporal Schedule, on the shared dev server with a real worker, router
 * and API: the schedule a worker creates, triggered now through the API (never waited for on
 * its interval), recomputes every customer; the profile API shows the cell and its parts, and
 * after a new purchase a second run moves the cells and the timeline shows the change.
 */

let stack: CairnTestStack;
beforeAll(async () => {
  stack = await startCairnTestStack();
});
afterAll(async () => {
  for (const id of ['rfm', 'rfm_quarter']) {
    await stack.temporal.schedule
      .getHandle(scoreScheduleId(id, stack.taskQueue))
      .delete()
      .catch(() => undefined);
  }
  await stack?.close();
});

const ago = (days: number) => new Date(Date.now() - days * DAY_MS).toISOString();

async function purchase(id: string, customerId: string, daysAgo: number, total: number) {
  const sent = await stack.request('POST', '/v1/events', {
    id,
    customerId,
    type: 'purchase',
    occurredAt: ago(daysAgo),
    properties: { total },
  });
  expect(sent.status).toBe(202);
}

/** Triggers the schedule through the API and waits for the run it names to finish. */
async function recomputeNow(scoreId = 'rfm'): Promise<ScoreRecompute> {
  const { status, body } = await stack.request<ScoreRecompute>(
    'POST',
    `/v1/scores/${scoreId}/recompute`,
  );
  expect(status).toBe(202);
  expect(body.workflowId).toEqual(
    expect.stringContaining(scoreWorkflowIdPrefix(scoreId, stack.taskQueue)),
  );
  await stack.temporal.workflow.getHandle(body.workflowId!).result();
  return body;
}

async function rfmOf(customerId: string, scoreId = 'rfm'): Promise<CustomerScore | undefined> {
  const { status, body } = await stack.request<Customer>('GET', `/v1/customers/${customerId}`);
  expect(status).toBe(200);
  return body.scores?.find((score) => score.id === scoreId);
}

it('refuses a score that is not recomputed, and answers 409 before any worker made the schedule', async () => {
  const engagement = await stack.request('POST', '/v1/scores/engagement/recompute');
  expect(engagement).toMatchObject({
    status: 404,
    body: { error: { code: 'score_not_found', issues: [{ path: 'id' }] } },
  });
  const early = await stack.request('POST', '/v1/scores/rfm/recompute');
  expect(early).toMatchObject({ status: 409, body: { error: { code: 'schedule_not_found' } } });
});

it('recomputes on the schedule’s run: the profile shows the cell and its r, f, m parts', async () => {
  for (const id of ['ada', 'bob', 'cy']) {
    expect((await stack.request('PUT', `/v1/customers/${id}`, {})).status).toBe(201);
  }
  // n = 2 buyers, so a part is 1 (worse than nobody) or 3 (worse than one: 1 + ⌊5 × 1 / 2⌋).
  await purchase('ada-1', 'ada', 1, 100);
  await purchase('ada-2', 'ada', 10, 100);
  await purchase('ada-3', 'ada', 20, 100);
  await purchase('bob-1', 'bob', 100, 20);

  const [schedule] = await ensureScoreSchedules(stack.temporal, stack.database.db, {
    taskQueue: stack.taskQueue,
  });
  expect(schedule).toEqual({ scheduleId: scoreScheduleId('rfm', stack.taskQueue), created: true });
  await recomputeNow();

  const ada = await rfmOf('ada');
  expect(ada).toMatchObject({ kind: 'rfm', value: 9, cell: '333' });
  expect(ada?.contributions).toEqual([
    { part: 'recency', points: 3, measure: 1 },
    { part: 'frequency', points: 3, measure: 3 },
    { part: 'monetary', points: 3, measure: 300 },
  ]);
  expect(await rfmOf('bob')).toMatchObject({ value: 3, cell: '111' });
  // cy never bought: no RFM score at all (scores.rfm is missing in conditions).
  expect(await rfmOf('cy')).toBeUndefined();
});

it('moves the cells after a new purchase on the next run, with a score_changed item', async () => {
  await purchase('bob-2', 'bob', 0, 500);
  await recomputeNow();

  expect(await rfmOf('bob')).toMatchObject({ value: 7, cell: '313' });
  expect(await rfmOf('ada')).toMatchObject({ value: 5, cell: '131' });
  const { body } = await stack.request<Timeline>('GET', '/v1/customers/bob/timeline?limit=100');
  const rfmChanges = body.items.filter(
    (item) => item.kind === 'score_changed' && item.scoreId === 'rfm',
  );
  expect(rfmChanges).toEqual([
    expect.objectContaining({
      scoreId: 'rfm',
      eventType: 'score_changed',
      from: '111',
      to: '313',
      points: 4,
    }),
  ]);
  // The change is an event in the outbox, routed like any other (journeys can trigger on it).
  const [changed] = rfmChanges;
  expect(await stack.awaitRouted((changed as { eventId: string }).eventId)).toMatchObject({
    routed: true,
  });
});

it('keeps one schedule when workers start again, with its state (an operator’s pause)', async () => {
  const handle = stack.temporal.schedule.getHandle(scoreScheduleId('rfm', stack.taskQueue));
  await handle.pause('paused by the test');
  const again = await ensureScoreSchedules(stack.temporal, stack.database.db, {
    taskQueue: stack.taskQueue,
    intervalMs: 3_600_000,
  });
  expect(again).toEqual([{ scheduleId: handle.scheduleId, created: false }]);
  const described = await handle.describe();
  expect(described.state.paused).toBe(true);
  expect(described.policies.overlap).toBe('SKIP');
  expect(described.spec.intervals).toMatchObject([{ every: 3_600_000 }]);
  expect(described.action).toMatchObject({
    workflowType: 'scoreRecomputeWorkflow',
    taskQueue: stack.taskQueue,
  });
});

it('recomputes a published RFM score on the schedule its publish made', async () => {
  const published = await stack.request('POST', '/v1/scores', {
    id: 'rfm_quarter',
    name: 'RFM, last quarter',
    description: 'RFM over 90 days',
    kind: 'rfm',
    window: '90d',
  });
  expect(published).toMatchObject({ status: 201, body: { version: 1, active: true } });
  // The publish made its schedule: no worker had to start. A worker starting later keeps it.
  const described = await stack.temporal.schedule
    .getHandle(scoreScheduleId('rfm_quarter', stack.taskQueue))
    .describe();
  expect(described.action).toMatchObject({ args: [{ scoreId: 'rfm_quarter' }] });
  const made = await ensureScoreSchedules(stack.temporal, stack.database.db, {
    taskQueue: stack.taskQueue,
  });
  expect(made).toContainEqual({
    scheduleId: scoreScheduleId('rfm_quarter', stack.taskQueue),
    created: false,
  });
  await recomputeNow('rfm_quarter');
  // Within 90 days: ada's three purchases (300 in all, the last a day ago) and bob's newer one
  // (500, today; his first is 100 days old): bob is more recent and spent more, ada bought more.
  expect(await rfmOf('ada', 'rfm_quarter')).toMatchObject({ version: 1, cell: '131', value: 5 });
  expect(await rfmOf('bob', 'rfm_quarter')).toMatchObject({ version: 1, cell: '313', value: 7 });
  expect(await rfmOf('cy', 'rfm_quarter')).toBeUndefined();
});
