import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { eq } from 'drizzle-orm';
import { customers, deliveries, journeyRuns } from '../../src/db/schema';
import { startTemporalDevServer, type DevServer } from '../../src/dev/temporal-dev-server';
import { journey } from '../../src/journeys/builders';
import { advance, startRun } from '../../src/journeys/interpreter';
import type { Decision, JourneyEvent } from '../../src/journeys/run-types';
import { journeyWorkflow } from '../../src/workflows/journey';
import { eventSignal, stateQuery } from '../../src/workflows/messages';
import { eventually } from '../support/cairn-stack';
import { createTestJourneyWorker } from '../support/journey-worker';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peer';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { activitiesOf } from './run-history';

const { EventType } = temporal.api.enums.v1;

/**
 * Temporal suggests continue-as-new once a history is this long (4 Ki events by default). The
 * run below reaches it after its first email and a few signals.
 */
const SUGGEST_CONTINUE_AS_NEW_AFTER = 30;

const pingPong = journey('ping-pong')
  .name('Ping pong')
  .steps((s) => [
    s.send('first', { content: { subject: 'First', html: '<p>First</p>' } }),
    s.waitForEvent('await_done', { event: 'done', timeout: '1d', onEvent: 'last' }),
    s.send('last', { content: { subject: 'Last', html: '<p>Last</p>' }, end: true }),
  ])
  .build();

describe('continue-as-new on a dev server that suggests it after 30 history events', () => {
  let server: DevServer;
  let connection: Connection;
  let nativeConnection: NativeConnection;
  let client: Client;
  let database: TestDatabase;
  let smtp: SmtpPeer;
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = 'continue-as-new';

  beforeAll(async () => {
    [server, database, smtp] = await Promise.all([
      startTemporalDevServer({
        startTimeoutMs: 60_000,
        extraArgs: [
          '--dynamic-config-value',
          `limit.historyCount.suggestContinueAsNew=${SUGGEST_CONTINUE_AS_NEW_AFTER}`,
        ],
      }),
      createTestDatabase(),
      startSmtpPeer(),
    ]);
    [connection, nativeConnection] = await Promise.all([
      Connection.connect({ address: server.address }),
      NativeConnection.connect({ address: server.address }),
    ]);
    client = new Client({ connection });
    worker = await createTestJourneyWorker({
      connection: nativeConnection,
      taskQueue,
      db: database.db,
      smtpUrl: smtp.url,
    });
    running = worker.run();
  }, 120_000);

  afterAll(async () => {
    worker?.shutdown();
    await running;
    await nativeConnection?.close();
    await connection?.close();
    await server?.stop();
    await smtp?.stop();
    await database?.close();
  });

  let sequence = 0;
  const event = (customerId: string, type: string): JourneyEvent => ({
    id: `evt-${type}-${(sequence += 1)}`,
    type,
    customerId,
    occurredAt: new Date().toISOString(),
    properties: {},
  });

  it('continues as new when suggested, sends nothing twice and loses no signal', async () => {
    const customerId = 'can-customer';
    const workflowId = `journey:ping-pong:${customerId}`;
    await database.db.insert(customers).values({ id: customerId, email: 'can@example.com' });
    await database.db.insert(journeyRuns).values({
      workflowId,
      journeyId: pingPong.id,
      journeyVersion: 1,
      customerId,
    });
    const handle = await client.workflow.start(journeyWorkflow, {
      taskQueue,
      workflowId,
      args: [{ definition: pingPong, journeyVersion: 1, customerId, defaultTimeZone: 'UTC' }],
    });
    await eventually(async () => (await handle.query(stateQuery)).currentStepId === 'await_done');

    // Events the run does not wait for, one after the other: each wakes the run and lengthens
    // its history, so runs hand over to their successors while signals keep arriving.
    const noise = Array.from({ length: 24 }, () => event(customerId, 'page_viewed'));
    for (const e of noise) await handle.signal(eventSignal, e);
    const firstRun = client.workflow.getHandle(workflowId, handle.firstExecutionRunId);
    await eventually(async () => (await firstRun.describe()).status.name === 'CONTINUED_AS_NEW');
    await handle.signal(eventSignal, event(customerId, 'done'));
    expect(await handle.result()).toMatchObject({ status: 'completed' });

    const runs = await runChain(client, workflowId, handle.firstExecutionRunId);
    expect(runs.length).toBeGreaterThanOrEqual(2);
    // The signals landed on both sides of a boundary, and none was dropped or seen twice.
    expect(runs.filter((r) => r.signals > 0).length).toBeGreaterThanOrEqual(2);
    expect(runs.reduce((sum, r) => sum + r.signals, 0)).toBe(noise.length + 1);
    // Only the first run entered and sent the first email; later runs resumed mid-wait.
    expect(runs.map((r) => r.activities.filter((a) => a === 'loadProfile').length)).toEqual(
      runs.map((_, i) => (i === 0 ? 1 : 0)),
    );
    expect(runs.flatMap((r) => r.activities).filter((a) => a === 'sendMessage')).toHaveLength(2);

    const [row] = await database.db
      .select()
      .from(journeyRuns)
      .where(eq(journeyRuns.workflowId, workflowId));
    expect(row).toMatchObject({ status: 'completed', finishReason: 'completed' });
    const trace = row!.trace as unknown as Decision[];
    expect(trace.filter((d) => d.kind === 'entered')).toHaveLength(1);
    const ignored = trace.filter((d) => d.kind === 'event_ignored').map((d) => d.detail?.eventId);
    expect(ignored.sort()).toEqual(noise.map((e) => e.id).sort());
    expect(trace.filter((d) => d.kind === 'event_matched')).toHaveLength(1);

    const sent = await database.db
      .select()
      .from(deliveries)
      .where(eq(deliveries.customerId, customerId));
    expect(sent.map((d) => [d.stepId, d.status]).sort()).toEqual([
      ['first', 'sent'],
      ['last', 'sent'],
    ]);
    expect(
      smtp.messages.filter((m) => m.envelope.to.includes('can@example.com')).map((m) => m.subject),
    ).toEqual(['First', 'Last']);
  });

  it('resumes from the transition and inbox it was handed, without entering again', async () => {
    const customerId = 'resumed-customer';
    const workflowId = `journey:ping-pong:${customerId}`;
    await database.db.insert(customers).values({ id: customerId, email: 'resumed@example.com' });
    const input = { definition: pingPong, journeyVersion: 1, customerId, defaultTimeZone: 'UTC' };
    // What a run hands over at continue-as-new: waiting at await_done after the first email,
    // with the awaited event already in its inbox.
    const now = Date.now();
    const entered = startRun(input, now);
    const sending = advance(pingPong, entered.state, {
      kind: 'profile',
      now,
      profile: { id: customerId, timeZone: null, hasEmail: true },
    });
    const waiting = advance(pingPong, sending.state, {
      kind: 'send_result',
      now,
      outcome: { status: 'sent', deliveryId: 'earlier-delivery' },
    });
    expect(waiting.command).toMatchObject({ kind: 'wait', stepId: 'await_done' });

    const handle = await client.workflow.start(journeyWorkflow, {
      taskQueue,
      workflowId,
      args: [{ ...input, resume: { transition: waiting, inbox: [event(customerId, 'done')] } }],
    });
    expect(await handle.result()).toMatchObject({ status: 'completed' });
    const [run] = await runChain(client, workflowId, handle.firstExecutionRunId);
    expect(run?.activities).toEqual(['sendMessage', 'recordRunFinished']);
    expect(smtp.messages.filter((m) => m.envelope.to.includes('resumed@example.com'))).toHaveLength(
      1,
    );
    const [last] = await database.db
      .select()
      .from(deliveries)
      .where(eq(deliveries.customerId, customerId));
    expect(last).toMatchObject({ stepId: 'last', status: 'sent' });
  });
});

/** Every run of the workflow id in order, following each continue-as-new to the next run. */
async function runChain(client: Client, workflowId: string, firstRunId: string) {
  const runs: { runId: string; activities: string[]; signals: number }[] = [];
  let runId: string | null | undefined = firstRunId;
  while (runId) {
    const handle: WorkflowHandle = client.workflow.getHandle(workflowId, runId);
    const events = (await handle.fetchHistory()).events ?? [];
    runs.push({
      runId,
      activities: activitiesOf(events),
      signals: events.filter(
        (e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
      ).length,
    });
    const last = events.at(-1);
    runId =
      last?.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW
        ? last.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId
        : null;
  }
  return runs;
}
