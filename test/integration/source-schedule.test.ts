/* eslint-disable @typescript-eslint/no-unsafe-assignment -- jest's asymmetric matchers are typed any. */
import { ScheduleOverlapPolicy, WorkflowFailedError } from '@temporalio/client';
import postgres from 'postgres';
import type { Customer } from '../../src/contract/customers';
import type { SourceView, SyncRunStarted, SyncRunView } from '../../src/contract/sources';
import { ensureSourceSchedules, sourceScheduleId, sourceWorkflowIdPrefix } from '../../src/sync';
import { startCairnTestStack, type CairnTestStack } from '../support/cairn-stack';
import { eventually } from '../support/eventually';
import { createEmptyDatabase } from '../support/test-database';

/**
 * A source on its Temporal Schedule, on the shared dev server with a real worker and the API:
 * creating the source creates the schedule (described on the server), disabling it pauses the
 * schedule, a triggered schedule action runs a sync whose run GET /v1/sources/{id}/runs shows,
 * run-now answers the run, a failing source fails its workflow visibly, and a worker's start
 * makes a lost schedule again.
 */

let stack: CairnTestStack;
let external: { url: string; drop(): Promise<void> };
let crm: postgres.Sql;
const ENV = 'CAIRN_TEST_SCHEDULED_CRM_URL';

beforeAll(async () => {
  [stack, external] = await Promise.all([
    startCairnTestStack({ withRouter: false }),
    createEmptyDatabase(),
  ]);
  // The worker of the stack runs in this process: the source's secret is in its environment.
  process.env[ENV] = external.url;
  crm = postgres(external.url, { max: 1, onnotice: () => undefined });
  await crm`create table contacts (id text primary key, email text, plan text, updated_at timestamptz not null)`;
  await crm`insert into contacts values
    ('s-ada', 'ada@example.com', 'pro', '2026-11-01T10:00:00Z'),
    ('s-bob', 'bob@example.com', 'free', '2026-11-01T11:00:00Z')`;
});
afterAll(async () => {
  await stack?.temporal.schedule
    .getHandle(sourceScheduleId('crm', stack.taskQueue))
    .delete()
    .catch(() => undefined);
  await crm?.end();
  await external?.drop();
  await stack?.close();
  delete process.env[ENV];
});

const body = (enabled: boolean) => ({
  name: 'CRM',
  enabled,
  priority: 10,
  interval: '6h',
  connector: {
    kind: 'postgres',
    connection: { env: ENV },
    query: 'select id, email, plan, updated_at from contacts where updated_at > $cursor',
  },
  cursor: { field: 'updated_at', type: 'time' },
  mapping: { id: 'id', email: 'email', plan: 'attributes.plan', updated_at: 'updatedAt' },
});

const schedule = () => stack.temporal.schedule.getHandle(sourceScheduleId('crm', stack.taskQueue));
const runs = async () => {
  const { status, body } = await stack.request<{ runs: SyncRunView[] }>(
    'GET',
    '/v1/sources/crm/runs',
  );
  expect(status).toBe(200);
  return body.runs;
};

it('creates the schedule with the source, and a triggered action runs a sync the runs API shows', async () => {
  const created = await stack.request<SourceView>('POST', '/v1/sources', {
    id: 'crm',
    ...body(true),
  });
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({
    id: 'crm',
    version: 1,
    cursor: null,
    scheduleId: sourceScheduleId('crm', stack.taskQueue),
  });
  expect(JSON.stringify(created.body)).not.toContain(external.url);

  const described = await schedule().describe();
  expect(described.state.paused).toBe(false);
  expect(described.spec.intervals).toMatchObject([{ every: 6 * 3_600_000 }]);
  expect(described.policies.overlap).toBe(ScheduleOverlapPolicy.SKIP);
  expect(described.action).toMatchObject({
    type: 'startWorkflow',
    workflowType: 'sourceSyncWorkflow',
    taskQueue: stack.taskQueue,
    args: [{ sourceId: 'crm' }],
  });

  await schedule().trigger();
  const [first] = await eventually(
    async () => {
      const seen = await runs();
      return seen.length === 1 && seen[0]!.status !== 'running' ? seen : null;
    },
    { describe: 'the triggered run is recorded as finished' },
  );
  expect(first).toMatchObject({
    status: 'succeeded',
    rowsRead: 2,
    rowsWritten: 2,
    rowsRejected: 0,
    cursorAfter: '2026-11-01T11:00:00+00:00',
    workflowId: expect.stringContaining(sourceWorkflowIdPrefix('crm', stack.taskQueue)),
  });
  expect(first!.lagMs).toBeGreaterThan(0);

  const profile = await stack.request<Customer>('GET', '/v1/customers/s-ada');
  expect(profile.body).toMatchObject({
    email: 'ada@example.com',
    attributes: { plan: 'pro' },
    syncedFrom: [{ sourceId: 'crm', fields: ['attributes.plan', 'email'] }],
  });
});

it('runs now through the API and answers the run; a failing source fails its workflow visibly', async () => {
  await crm`update contacts set plan = 'team', updated_at = '2026-11-02T09:00:00Z' where id = 's-bob'`;
  const now = await stack.request<SyncRunStarted>('POST', '/v1/sources/crm/runs');
  expect(now.status).toBe(202);
  expect(now.body).toMatchObject({
    started: true,
    run: { status: 'succeeded', rowsRead: 1, rowsWritten: 1 },
  });

  await crm`alter table contacts rename to contacts_gone`;
  const failing = await stack.request<SyncRunStarted>('POST', '/v1/sources/crm/runs');
  expect(failing.status).toBe(202);
  expect(failing.body.run).toMatchObject({
    status: 'failed',
    error: expect.stringContaining('does not exist'),
    cursorBefore: '2026-11-02T09:00:00+00:00',
    cursorAfter: '2026-11-02T09:00:00+00:00',
  });
  const result = stack.temporal.workflow.getHandle(failing.body.workflowId!).result();
  await expect(result).rejects.toBeInstanceOf(WorkflowFailedError);
  await expect(result).rejects.toMatchObject({ cause: { cause: { type: 'SourceSyncFailed' } } });
  expect((await stack.request<Customer>('GET', '/v1/customers/s-bob')).body).toMatchObject({
    email: 'bob@example.com',
    attributes: { plan: 'team' },
  });

  await crm`alter table contacts_gone rename to contacts`;
  await crm`insert into contacts values ('s-cy', 'cy@example.com', null, '2026-11-03T00:00:00Z')`;
  const resumed = await stack.request<SyncRunStarted>('POST', '/v1/sources/crm/runs');
  expect(resumed.body.run).toMatchObject({
    status: 'succeeded',
    rowsRead: 1,
    cursorBefore: '2026-11-02T09:00:00+00:00',
  });
});

it('pauses the schedule when the source is disabled and runs it again when enabled', async () => {
  const disabled = await stack.request<SourceView>('PUT', '/v1/sources/crm', body(false));
  expect(disabled).toMatchObject({ status: 200, body: { version: 2, config: { enabled: false } } });
  expect((await schedule().describe()).state).toMatchObject({
    paused: true,
    note: expect.stringContaining('disabled'),
  });
  expect(await stack.request('POST', '/v1/sources/crm/runs')).toMatchObject({
    status: 409,
    body: { error: { code: 'source_disabled' } },
  });

  const enabled = await stack.request<SourceView>('PUT', '/v1/sources/crm', {
    ...body(true),
    interval: '1h',
  });
  expect(enabled).toMatchObject({
    status: 200,
    body: { version: 3, cursor: '2026-11-03T00:00:00+00:00' },
  });
  const described = await schedule().describe();
  expect(described.state.paused).toBe(false);
  expect(described.spec.intervals).toMatchObject([{ every: 3_600_000 }]);
});

it('makes a lost schedule again as a worker starts', async () => {
  await schedule().delete();
  expect(await ensureSourceSchedules(stack.temporal, stack.database.db, stack.taskQueue)).toEqual([
    { scheduleId: sourceScheduleId('crm', stack.taskQueue), created: true },
  ]);
  expect((await schedule().describe()).state.paused).toBe(false);
});
