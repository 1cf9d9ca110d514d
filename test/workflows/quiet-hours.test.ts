import { customers } from '../../src/db/schema';
import { journey } from '../../src/journeys/builders';
import type { Decision } from '../../src/journeys/run-types';
import { journeyWorkflow } from '../../src/workflows/journey';
import { stateQuery } from '../../src/workflows/messages';
import { createTestJourneyWorker } from '../support/journey-worker';
import { createTimeSkippingEnvironment } from '../support/temporal';
import { useTimeSkippingHarness } from '../support/time-skipping-harness';

const NEW_YORK = 'America/New_York';

const nightlyDigest = journey('nightly-digest')
  .name('Nightly digest')
  .steps((s) => [
    s.send('digest', { content: { subject: 'Your digest', html: '<p>What happened today</p>' } }),
  ])
  .build();

describe('quiet hours in the customer time zone, on the time-skipping server', () => {
  const harness = useTimeSkippingHarness();

  beforeAll(async () => {
    await harness.database.db
      .insert(customers)
      .values({ id: 'nyc', email: 'nyc@example.com', timeZone: NEW_YORK });
  });

  /**
   * Triggers the journey at `instant` on a time-skipping server of its own (the server's clock
   * only moves forward, and finishing a run may skip it far ahead) and returns when it sent.
   */
  async function triggerAt(instant: string, run: number): Promise<string> {
    const env = await createTimeSkippingEnvironment();
    try {
      const target = Date.parse(instant);
      await env.sleep(target - (await env.currentTimeMs()));
      const worker = await createTestJourneyWorker({
        connection: env.nativeConnection,
        taskQueue: harness.taskQueue,
        db: harness.database.db,
        smtpUrl: harness.peers.smtp.url,
      });
      return await worker.runUntil(async () => {
        const handle = await env.client.workflow.start(journeyWorkflow, {
          taskQueue: harness.taskQueue,
          workflowId: `journey:nightly-digest:nyc:${run}`,
          args: [
            {
              definition: nightlyDigest,
              journeyVersion: 1,
              customerId: 'nyc',
              defaultTimeZone: 'UTC',
              defaultSendWindow: { start: '09:00', end: '20:00' },
            },
          ],
        });
        await handle.result();
        const { trace } = await handle.query(stateQuery);
        const sent = trace.find((d: Decision) => d.kind === 'send_result');
        return new Date(sent?.at ?? 0).toISOString();
      });
    } finally {
      await env.teardown();
    }
  }

  const minute = (iso: string) => iso.slice(0, 16);

  it('holds a message triggered at 01:00 local until 09:00 local, also across both DST changes', async () => {
    // 01:00 EST → 09:00 EST on an ordinary winter night.
    expect(minute(await triggerAt('2027-01-12T06:00:00Z', 1))).toBe('2027-01-12T14:00');
    // 01:00 EST on the night clocks spring forward → 09:00 EDT (UTC-4).
    expect(minute(await triggerAt('2027-03-14T06:00:00Z', 2))).toBe('2027-03-14T13:00');
    // 01:00 EDT on the night clocks fall back → 09:00 EST (UTC-5).
    expect(minute(await triggerAt('2027-11-07T05:00:00Z', 3))).toBe('2027-11-07T14:00');
    const subjects = harness.peers.smtp.messages.map((m) => m.subject);
    expect(subjects).toEqual(['Your digest', 'Your digest', 'Your digest']);
  });
});
