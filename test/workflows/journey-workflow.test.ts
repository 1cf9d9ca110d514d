import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { eq } from 'drizzle-orm';
import { deliveries } from '../../src/db/schema';
import { journey } from '../../src/journeys/builders';
import type { JourneyEvent, RunInput } from '../../src/journeys/run-types';
import { eventSignal, stateQuery } from '../../src/workflows/messages';
import { journeyWorkflow } from '../../src/workflows/journey';
import { seedCustomer } from '../activities/fixtures';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peer';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { createTestJourneyWorker } from '../support/journey-worker';
import { createTimeSkippingEnvironment } from '../support/temporal';
import { eventually } from '../support/eventually';

const HOUR = 3_600_000;

const cartJourney = journey('cart-reminder')
  .name('Cart reminder')
  .trigger('cart_abandoned')
  .keyedBy('cart_id')
  .exitOn('purchase')
  .steps((s) => [
    s.wait('wait_a_day', { for: '24h' }),
    s.send('reminder', {
      content: {
        subject: 'Your cart, {{profile.first_name}}',
        html: '<ul>{{#each trigger.cart_items}}<li>{{name}}</li>{{/each}}</ul>',
      },
    }),
    s.waitForEvent('await_click', {
      event: 'email_clicked',
      timeout: '2d',
      onEvent: 'thanks',
      onTimeout: 'last_call',
    }),
    s.send('thanks', { content: { subject: 'Thanks', html: '<p>See you soon</p>' }, end: true }),
    s.send('last_call', { content: { subject: 'Last call', html: '<p>Last call</p>' }, end: true }),
  ])
  .build();

function cartEvent(customerId: string, type = 'cart_abandoned'): JourneyEvent {
  return {
    id: randomUUID(),
    type,
    customerId,
    occurredAt: new Date().toISOString(),
    properties: { cart_id: 'cart-1', cart_items: [{ name: 'Lamp' }, { name: 'Rug' }] },
  };
}

describe('journey workflow on the time-skipping server', () => {
  let env: TestWorkflowEnvironment;
  let database: TestDatabase;
  let smtp: SmtpPeer;
  const taskQueue = `journeys-${randomUUID()}`;

  beforeAll(async () => {
    [env, database, smtp] = await Promise.all([
      createTimeSkippingEnvironment(),
      createTestDatabase(),
      startSmtpPeer(),
    ]);
  });

  /** A worker per test: a Worker runs once, and runUntil shuts it down. */
  async function withWorker<T>(fn: () => Promise<T>): Promise<T> {
    const worker = await createTestJourneyWorker({
      connection: env.nativeConnection,
      taskQueue,
      db: database.db,
      smtpUrl: smtp.url,
    });
    return worker.runUntil(fn);
  }

  afterAll(async () => {
    await env?.teardown();
    await smtp?.stop();
    await database?.close();
  });

  function runInput(customerId: string, trigger: JourneyEvent): RunInput {
    return {
      definition: cartJourney,
      journeyVersion: 1,
      customerId,
      key: 'cart-1',
      trigger,
      defaultTimeZone: 'UTC',
    };
  }

  it('runs a 24-hour wait and a 2-day waitForEvent in seconds, sending on the timeout path', async () => {
    const customerId = `c-${randomUUID()}`;
    await seedCustomer(database.db, { id: customerId, attributes: { first_name: 'Ada' } });
    const started = Date.now();
    const result = await withWorker(() =>
      env.client.workflow.execute(journeyWorkflow, {
        taskQueue,
        workflowId: `journey:cart-reminder:${customerId}:cart-1`,
        args: [runInput(customerId, cartEvent(customerId))],
      }),
    );
    expect(result).toMatchObject({ status: 'completed', finishReason: 'completed' });
    expect(Date.now() - started).toBeLessThan(60_000);
    const subjects = smtp.messages
      .filter((m) => m.envelope.to.includes(`${customerId}@example.com`))
      .map((m) => m.subject);
    expect(subjects).toEqual(['Your cart, Ada', 'Last call']);
    const reminder = smtp.messages.find((m) => m.subject === 'Your cart, Ada');
    expect(reminder?.html).toContain('<li>Lamp</li><li>Rug</li>');
    const rows = await database.db
      .select()
      .from(deliveries)
      .where(eq(deliveries.customerId, customerId));
    expect(rows.map((r) => [r.stepId, r.status]).sort()).toEqual([
      ['last_call', 'sent'],
      ['reminder', 'sent'],
    ]);
  });

  it('ends the run at once on an exitOn event in the middle of the 24-hour wait, with no send', async () => {
    const customerId = `c-${randomUUID()}`;
    await seedCustomer(database.db, { id: customerId });
    const result = await withWorker(async () => {
      const handle = await env.client.workflow.start(journeyWorkflow, {
        taskQueue,
        workflowId: `journey:cart-reminder:${customerId}:cart-1`,
        args: [runInput(customerId, cartEvent(customerId))],
      });
      await waitForStep(handle, 'wait_a_day');
      await env.sleep(2 * HOUR);
      await handle.signal(eventSignal, cartEvent(customerId, 'purchase'));
      return handle.result();
    });
    expect(result).toMatchObject({ status: 'exited', finishReason: 'exit_event' });
    const rows = await database.db
      .select()
      .from(deliveries)
      .where(eq(deliveries.customerId, customerId));
    expect(rows).toEqual([]);
    expect(
      smtp.messages.filter((m) => m.envelope.to.includes(`${customerId}@example.com`)),
    ).toEqual([]);
  });

  it('takes the onEvent path when the awaited event arrives for the same cart', async () => {
    const customerId = `c-${randomUUID()}`;
    await seedCustomer(database.db, { id: customerId });
    const result = await withWorker(async () => {
      const handle = await env.client.workflow.start(journeyWorkflow, {
        taskQueue,
        workflowId: `journey:cart-reminder:${customerId}:cart-1`,
        args: [runInput(customerId, cartEvent(customerId))],
      });
      await env.sleep(25 * HOUR);
      await waitForStep(handle, 'await_click');
      await handle.signal(eventSignal, cartEvent(customerId, 'email_clicked'));
      return handle.result();
    });
    expect(result).toMatchObject({ status: 'completed' });
    const subjects = smtp.messages
      .filter((m) => m.envelope.to.includes(`${customerId}@example.com`))
      .map((m) => m.subject);
    expect(subjects).toEqual(['Your cart, Ada', 'Thanks']);
  });
});

/** Polls the run's state query until it reaches the step (queries are answered, not slept on). */
async function waitForStep(
  handle: { query: (q: typeof stateQuery) => Promise<{ currentStepId: string | null }> },
  stepId: string,
): Promise<void> {
  await eventually(async () => (await handle.query(stateQuery)).currentStepId === stepId, {
    timeoutMs: 5_000,
    intervalMs: 10,
    describe: `the run to reach step ${stepId}`,
  });
}
