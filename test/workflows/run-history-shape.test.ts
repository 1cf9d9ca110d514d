import type { Client, Connection, WorkflowHandle } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { field, journey, where } from '../../src/journeys/builders';
import type { RunInput } from '../../src/journeys/run-types';
import type { JourneyDefinition } from '../../src/journeys/schema';
import { journeyWorkflowId } from '../../src/journeys/workflow-id';
import { journeyWorkflow } from '../../src/workflows/journey';
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

  /** Starts a run with the search attributes the router gives it (src/routing/start-run.ts). */
  async function startAsRouted(definition: JourneyDefinition, customerId: string) {
    await seedCustomer(database.db, { id: customerId });
    const input: RunInput = { definition, journeyVersion: 1, customerId, defaultTimeZone: 'UTC' };
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

  it('of three emails has three activity tasks, four workflow tasks and one upsert per change', async () => {
    const handle = await startAsRouted(threeEmails, 'shape-three');
    expect(await handle.result()).toMatchObject({ status: 'completed' });
    const events = await historyOf(handle);

    // The sends are the only activity tasks; the profile read and the run-finished record ride
    // in workflow tasks as local activities.
    expect(
      events.flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []),
    ).toEqual(['sendMessage', 'sendMessage', 'sendMessage']);
    expect(activitiesOf(events)).toEqual([
      'loadProfile',
      'sendMessage',
      'sendMessage',
      'sendMessage',
      'recordRunFinished',
    ]);
    // As many workflow tasks as the bare workflow: the start and one per send result.
    expect(countOf(events, EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)).toBe(4);
    // The patch marker's own TemporalChangeVersion, then a step per send and the end: the
    // router already set JourneyStatus=running, so nothing repeats it.
    expect(upsertedKeys(events)).toEqual([
      'TemporalChangeVersion',
      'JourneyStep',
      'JourneyStep',
      'JourneyStep',
      'JourneyStatus',
    ]);
    expect(events.length).toBeLessThanOrEqual(32);

    const { typedSearchAttributes } = await handle.describe();
    expect(typedSearchAttributes.get(JourneyStepKey)).toBe('email_3');
    expect(typedSearchAttributes.get(JourneyStatusKey)).toBe('completed');
  });

  it('upserts once for the steps one workflow task passes, and shows where the run rests', async () => {
    const handle = await startAsRouted(updateBranchSend, 'shape-update');
    await eventually(
      async () => (await handle.describe()).typedSearchAttributes.get(JourneyStepKey) === 'rest',
      { describe: 'the run to show JourneyStep=rest' },
    );
    const resting = await handle.describe();
    expect(resting.typedSearchAttributes.get(JourneyStatusKey)).toBe('running');
    const events = await historyOf(handle);
    expect(activitiesOf(events)).toEqual([
      'loadProfile',
      'applyProfileUpdate',
      'loadProfile',
      'sendMessage',
    ]);
    // mark_seen, seen_check and hello in the first workflow task: hello alone is upserted.
    const firstTaskEnd = events.findIndex(
      (e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
    );
    const firstTask = events.slice(0, firstTaskEnd);
    expect(countOf(firstTask, EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)).toBe(1);
    expect(upsertedKeys(firstTask)).toEqual(['TemporalChangeVersion', 'JourneyStep']);

    await handle.signal(cancelSignal, { reason: 'test' });
    expect(await handle.result()).toMatchObject({ status: 'cancelled' });
    const { typedSearchAttributes } = await handle.describe();
    expect(typedSearchAttributes.get(JourneyStatusKey)).toBe('cancelled');
    expect(typedSearchAttributes.get(JourneyStepKey)).toBe('rest');
  });
});
