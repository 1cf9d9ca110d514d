import type { Client, Connection, WorkflowHandle } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { field, journey, where } from '../../src/journeys/builders';
import type { RunInput } from '../../src/journeys/run-types';
import type { JourneyDefinition } from '../../src/journeys/schema';
import { journeyWorkflowId } from '../../src/journeys/workflow-id';
import { eq } from 'drizzle-orm';
import { journeyRuns } from '../../src/db/schema';
import { findRunningRun, insertRunningRun } from '../../src/routing/run-registry';
import { journeyWorkflow } from '../../src/workflows/journey';
import { CURRENT_HISTORY_SHAPE } from '../../src/workflows/history-shape';
import { cancelSignal } from '../../src/workflows/messages';
import {
  CustomerIdKey,
  JourneyIdKey,
  JourneyStatusKey,
  JourneyStepKey,
  JourneyVersionKey,
} from '../../src/workflows/search-attributes';
import { seedCustomer } from '../activities/fixtures';
import { eventually } from '../support/eventually';
import { createTestJourneyWorker } from '../support/journey-worker';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peer';
import { connectTestClient, testTemporalAddress } from '../support/temporal';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { activitiesOf, countOf, EventType } from './run-history';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

const threeEmails = journey('shape-three-emails')
  .name('Three emails')
  .steps((s) =>
    ['First', 'Second', 'Third'].map((subject, index) =>
      s.send(`email_${index + 1}`, {
        kind: 'transactional',
        content: { subject, html: `<p>${subject}</p>` },
      }),
    ),
  )
  .build();

// A profile update and a branch pass without waiting: their data activities are local, so the
// run reaches the send in its first workflow task.
const updateBranchSend = journey('shape-update-branch')
  .name('Update, branch, send, wait')
  .steps((s) => [
    s.updateProfile('mark_seen', { seen: true }),
    s.branch('seen_check', where(field('profile.seen').eq(true)), {
      then: 'hello',
      else: 'hello',
    }),
    s.send('hello', { kind: 'transactional', content: { subject: 'Hi', html: '<p>Hi</p>' } }),
    s.wait('rest', { for: '1h' }),
  ])
  .build();

describe('the history of a run', () => {
  let connection: Connection;
  let client: Client;
  let nativeConnection: NativeConnection;
  let database: TestDatabase;
  let smtp: SmtpPeer;
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = 'run-history-shape';

  beforeAll(async () => {
    [{ client, connection }, nativeConnection, database, smtp] = await Promise.all([
      connectTestClient(),
      NativeConnection.connect({ address: testTemporalAddress() }),
      createTestDatabase(),
      startSmtpPeer(),
    ]);
    worker = await createTestJourneyWorker({
      connection: nativeConnection,
      taskQueue,
      db: database.db,
      smtpUrl: smtp.url,
    });
    running = worker.run();
  });

  afterAll(async () => {
    worker?.shutdown();
    await running;
    await nativeConnection?.close();
    await connection?.close();
    await smtp?.stop();
    await database?.close();
  });

  /**
   * Starts a run with the input and search attributes the router gives it
   * (src/routing/start-run.ts); `historyShape: null` starts it as runs were started before the
   * input named one; `registered` gives it the running row in the runs registry the router
   * inserts before it starts a run.
   */
  async function startAsRouted(
    definition: JourneyDefinition,
    customerId: string,
    historyShape: number | null = CURRENT_HISTORY_SHAPE,
    { registered = false } = {},
  ) {
    await seedCustomer(database.db, { id: customerId });
    if (registered) {
      await insertRunningRun(database.db, {
        workflowId: journeyWorkflowId(definition.id, customerId),
        journeyId: definition.id,
        journeyVersion: 1,
        customerId,
      });
    }
    const input: RunInput = {
      definition,
      journeyVersion: 1,
      customerId,
      defaultTimeZone: 'UTC',
      ...(historyShape === null ? {} : { historyShape }),
    };
    return client.workflow.start(journeyWorkflow, {
      taskQueue,
      workflowId: journeyWorkflowId(definition.id, customerId),
      args: [input],
      typedSearchAttributes: [
        { key: CustomerIdKey, value: customerId },
        { key: JourneyIdKey, value: definition.id },
        { key: JourneyVersionKey, value: 1 },
        { key: JourneyStatusKey, value: 'running' },
      ],
    });
  }

  const upsertedKeys = (events: HistoryEvent[]) =>
    events.flatMap((e) => {
      const fields = e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes;
      return fields
        ? [
            Object.keys(fields.indexedFields ?? {})
              .sort()
              .join('+'),
          ]
        : [];
    });

  const historyOf = async (handle: WorkflowHandle): Promise<HistoryEvent[]> =>
    (await handle.fetchHistory()).events ?? [];

  const sendsOnly = (events: HistoryEvent[]) =>
    events.flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
  const markers = (events: HistoryEvent[]) =>
    events.flatMap((e) => e.markerRecordedEventAttributes?.markerName ?? []);

  it('of three emails has three activity tasks, four workflow tasks, one upsert and no marker', async () => {
    const workflowId = journeyWorkflowId(threeEmails.id, 'shape-three');
    const handle = await startAsRouted(threeEmails, 'shape-three', CURRENT_HISTORY_SHAPE, {
      registered: true,
    });
    expect(await handle.result()).toMatchObject({ status: 'completed' });
    const events = await historyOf(handle);

    // The sends are the only activities. Nothing in the journey reads the profile, so it is not
    // loaded; the run's end reaches the registry through the worker's sink, and no patch is
    // asked: no marker at all.
    expect(activitiesOf(events)).toEqual(['sendMessage', 'sendMessage', 'sendMessage']);
    expect(markers(events)).toEqual([]);
    // As many workflow tasks as the bare workflow: the start and one per send result.
    expect(countOf(events, EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)).toBe(4);
    // The run never parked: its step and status go out once, as it ends. The router already
    // set JourneyStatus=running, and the trigger is in the input, not a signal.
    expect(upsertedKeys(events)).toEqual(['JourneyStatus+JourneyStep']);
    expect(countOf(events, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED)).toBe(0);
    expect(events.length).toBeLessThanOrEqual(24);
    // Its decision trace is in the registry, and nowhere in the history.
    expect(JSON.stringify(events)).not.toContain('email_1');

    const { typedSearchAttributes } = await handle.describe();
    expect(typedSearchAttributes.get(JourneyStepKey)).toBe('email_3');
    expect(typedSearchAttributes.get(JourneyStatusKey)).toBe('completed');

    // Written in the workflow task that ended the run: finished once the result is out.
    const row = await findRunningRun(database.db, workflowId);
    expect(row).toBeNull();
    const [finished] = await database.db
      .select()
      .from(journeyRuns)
      .where(eq(journeyRuns.workflowId, workflowId));
    expect(finished).toMatchObject({ status: 'completed', finishReason: 'completed' });
    expect(finished?.endedAt).toBeInstanceOf(Date);
    expect(JSON.stringify(finished?.trace)).toContain('email_3');
  });

  it('keeps the run-finished local activity for a run of history shape 3', async () => {
    const handle = await startAsRouted(threeEmails, 'shape-three-v3', 3);
    expect(await handle.result()).toMatchObject({ status: 'completed' });
    const events = await historyOf(handle);
    expect(activitiesOf(events)).toEqual([
      'sendMessage',
      'sendMessage',
      'sendMessage',
      'recordRunFinished',
    ]);
    expect(markers(events)).toEqual(['core_local_activity']);
    expect(upsertedKeys(events)).toEqual(['JourneyStatus+JourneyStep']);
    expect(events.length).toBeLessThanOrEqual(25);
  });

  it('upserts when the run parks, and shows where it rests', async () => {
    const handle = await startAsRouted(updateBranchSend, 'shape-update');
    await eventually(
      async () => (await handle.describe()).typedSearchAttributes.get(JourneyStepKey) === 'rest',
      { describe: 'the run to show JourneyStep=rest' },
    );
    const resting = await handle.describe();
    expect(resting.typedSearchAttributes.get(JourneyStatusKey)).toBe('running');
    const events = await historyOf(handle);
    // No profile at entry (nothing reads it before the branch, which loads its own).
    expect(activitiesOf(events)).toEqual(['applyProfileUpdate', 'loadProfile', 'sendMessage']);
    // mark_seen, seen_check and hello pass in the first workflow task, the send in the next:
    // nothing is upserted until the run waits at rest.
    const firstTaskEnd = events.findIndex(
      (e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
    );
    expect(
      countOf(events.slice(0, firstTaskEnd), EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED),
    ).toBe(1);
    expect(upsertedKeys(events)).toEqual(['JourneyStep']);
    expect(markers(events)).not.toContain('core_patch');

    await handle.signal(cancelSignal, { reason: 'test' });
    expect(await handle.result()).toMatchObject({ status: 'cancelled' });
    const { typedSearchAttributes } = await handle.describe();
    expect(typedSearchAttributes.get(JourneyStatusKey)).toBe('cancelled');
    expect(typedSearchAttributes.get(JourneyStepKey)).toBe('rest');
  });

  it('keeps the lean-run-history layout for a run whose input names no shape', async () => {
    const handle = await startAsRouted(threeEmails, 'shape-before', null);
    expect(await handle.result()).toMatchObject({ status: 'completed' });
    const events = await historyOf(handle);
    expect(sendsOnly(events)).toEqual(['sendMessage', 'sendMessage', 'sendMessage']);
    expect(markers(events)[0]).toBe('core_patch');
    // The patch marker's own TemporalChangeVersion, then a step per send and the end.
    expect(upsertedKeys(events)).toEqual([
      'TemporalChangeVersion',
      'JourneyStep',
      'JourneyStep',
      'JourneyStep',
      'JourneyStatus',
    ]);
    expect(countOf(events, EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)).toBe(4);
  });
});
