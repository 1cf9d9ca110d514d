import type { WorkflowHandle } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import { customers, deliveries } from '../../src/db/schema';
import { journey } from '../../src/journeys/builders';
import { CURRENT_HISTORY_SHAPE } from '../../src/workflows/history-shape';
import { journeyWorkflow } from '../../src/workflows/journey';
import { cancelSignal } from '../../src/workflows/messages';
import { eventually } from '../support/eventually';
import { createTestJourneyWorker } from '../support/journey-worker';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peer';
import { createTimeSkippingEnvironment } from '../support/temporal';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const nightlyDigest = journey('held-digest')
  .name('Nightly digest')
  .steps((s) => [s.send('digest', { content: { subject: 'Your digest', html: '<p>Today</p>' } })])
  .build();

/**
 * A marketing message outside the send window waits for it; while it waits, its delivery says
 * so (pending, quiet_hours, until when), as a frequency-cap deferral does, so "why has this
 * customer not got it" is answered by GET /v1/customers/:id/deliveries, not only by the trace.
 */
describe('a message held back by quiet hours', () => {
  let database: TestDatabase;
  let smtp: SmtpPeer;

  beforeAll(async () => {
    [database, smtp] = await Promise.all([createTestDatabase(), startSmtpPeer()]);
    await database.db
      .insert(customers)
      .values({ id: 'nyc', email: 'nyc@example.com', timeZone: 'America/New_York' });
  });

  afterAll(async () => {
    await smtp?.stop();
    await database?.close();
  });

  type Handle = WorkflowHandle<typeof journeyWorkflow>;
  type Row = typeof deliveries.$inferSelect;

  /**
   * Starts the digest for nyc at `instant` on a time-skipping server of its own (its clock only
   * moves forward) and runs `body` while a worker runs. Time does not skip until the run's
   * result is awaited, so the run rests in its quiet hours until `body` awaits it.
   */
  async function digestAt(
    instant: string,
    workflowId: string,
    body: (handle: Handle, rowOf: () => Promise<Row | undefined>) => Promise<void>,
  ): Promise<void> {
    const env = await createTimeSkippingEnvironment();
    try {
      await env.sleep(Date.parse(instant) - (await env.currentTimeMs()));
      const taskQueue = `quiet-hours-hold-${workflowId}`;
      const worker = await createTestJourneyWorker({
        connection: env.nativeConnection,
        taskQueue,
        db: database.db,
        smtpUrl: smtp.url,
      });
      await worker.runUntil(async () => {
        const handle = await env.client.workflow.start(journeyWorkflow, {
          taskQueue,
          workflowId,
          args: [
            {
              definition: nightlyDigest,
              journeyVersion: 1,
              customerId: 'nyc',
              defaultTimeZone: 'UTC',
              defaultSendWindow: { start: '09:00', end: '20:00' },
              historyShape: CURRENT_HISTORY_SHAPE,
            },
          ],
        });
        const rowOf = async () =>
          (
            await database.db.select().from(deliveries).where(eq(deliveries.workflowId, workflowId))
          )[0];
        await body(handle, rowOf);
      });
    } finally {
      await env.teardown();
    }
  }

  it('is pending on its delivery with the reason and the time the window opens, then sent', async () => {
    // 01:00 in New York; the window opens at 09:00 there (14:00 UTC).
    await digestAt('2027-01-12T06:00:00Z', 'journey:held-digest:nyc', async (handle, rowOf) => {
      const waiting = await eventually(rowOf, { describe: 'the held delivery row' });
      expect(waiting).toMatchObject({
        stepId: 'digest',
        status: 'pending',
        reason: 'quiet_hours_deferred',
        detail: { deferredUntil: '2027-01-12T14:00:00.000Z' },
      });
      expect(smtp.messages).toHaveLength(0);

      await handle.result();
      expect(await rowOf()).toMatchObject({ id: waiting.id, status: 'sent', attempts: 1 });
      expect(smtp.messages.map((m) => m.subject)).toEqual(['Your digest']);
    });
  });

  it('is settled as skipped when its run ends before the window opens', async () => {
    const workflowId = 'journey:held-digest:nyc:cancelled';
    await digestAt('2027-01-13T06:00:00Z', workflowId, async (handle, rowOf) => {
      await eventually(async () => (await rowOf())?.status === 'pending', {
        describe: 'the held delivery row',
      });
      const sentBefore = smtp.messages.length;
      await handle.signal(cancelSignal, { reason: 'test' });
      expect(await handle.result()).toMatchObject({ status: 'cancelled' });
      // Recorded in the workflow task that ended the run: settled once the result is out.
      expect(await rowOf()).toMatchObject({
        status: 'skipped',
        reason: 'run_ended_before_send',
      });
      expect(smtp.messages.length).toBe(sentBefore);
    });
  });
});
