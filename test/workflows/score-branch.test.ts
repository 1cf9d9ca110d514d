import { liveScores } from '../../src/audience/live-scores';
import { customers, events } from '../../src/db/schema';
import { parseJourneyDefinition } from '../../src/journeys/validate';
import { DAY_MS } from '../../src/scores';
import { journeyWorkflow } from '../../src/workflows/journey';
import { stateQuery } from '../../src/workflows/messages';
import { useTimeSkippingHarness } from '../support/time-skipping-harness';

/**
 * scores.<id> in a branch decides a real run: the branch loads the profile, whose snapshot
 * carries the engagement score decayed to the moment it was loaded.
 */
const vipOrNudge = parseJourneyDefinition({
  id: 'vip-or-nudge',
  name: 'VIP or nudge',
  entry: 'engaged',
  steps: [
    {
      id: 'engaged',
      type: 'branch',
      when: { conditions: [{ field: 'scores.engagement', op: 'gte', value: 15 }] },
      then: 'vip',
      else: 'nudge',
    },
    {
      id: 'vip',
      type: 'send',
      kind: 'transactional',
      channel: 'email',
      content: { subject: 'Thanks, VIP', html: '<p>VIP</p>' },
    },
    {
      id: 'nudge',
      type: 'send',
      kind: 'transactional',
      channel: 'email',
      content: { subject: 'We miss you', html: '<p>Come back</p>' },
    },
  ],
});

describe('a branch on scores.engagement, on the time-skipping server', () => {
  const harness = useTimeSkippingHarness();

  it('sends the VIP message to the engaged customer and the nudge to the one whose score decayed', async () => {
    const { db } = harness.database;
    const now = Date.now();
    await db.insert(customers).values([
      { id: 'ada', email: 'ada@example.com' },
      { id: 'bob', email: 'bob@example.com' },
    ]);
    // ada: two purchases a day ago, 20 × 0.95 = 19. bob: one ten days ago, 10 × 0.95^10 ≈ 6.
    const batch = [
      { id: 'a1', customerId: 'ada', type: 'purchase', occurredAt: new Date(now - DAY_MS) },
      { id: 'a2', customerId: 'ada', type: 'purchase', occurredAt: new Date(now - DAY_MS) },
      { id: 'b1', customerId: 'bob', type: 'purchase', occurredAt: new Date(now - 10 * DAY_MS) },
    ].map((e) => ({ ...e, properties: {} }));
    await db.insert(events).values(batch);
    await liveScores({ db }).forEvents(batch);

    const worker = await harness.worker();
    const runs = await worker.runUntil(async () => {
      const results = [];
      for (const customerId of ['ada', 'bob']) {
        const handle = await harness.env.client.workflow.start(journeyWorkflow, {
          taskQueue: harness.taskQueue,
          workflowId: `journey:vip-or-nudge:${customerId}`,
          args: [{ definition: vipOrNudge, journeyVersion: 1, customerId, defaultTimeZone: 'UTC' }],
        });
        results.push({ ...(await handle.result()), view: await handle.query(stateQuery) });
      }
      return results;
    });

    const subjects = (to: string) =>
      harness.peers.smtp.messages.filter((m) => m.envelope.to.includes(to)).map((m) => m.subject);
    expect(subjects('ada@example.com')).toEqual(['Thanks, VIP']);
    expect(subjects('bob@example.com')).toEqual(['We miss you']);
    // The trace shows the decayed value each branch saw.
    const seen = runs.map((run) => {
      const branch = run.view.trace.find((d) => d.kind === 'branch');
      return (branch?.detail as { outcomes?: { actual: number }[] } | undefined)?.outcomes?.[0]
        ?.actual;
    });
    expect(seen[0]).toBeCloseTo(19, 3);
    expect(seen[1]).toBeCloseTo(10 * 0.95 ** 10, 3);
  });
});
