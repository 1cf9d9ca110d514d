import { eq } from 'drizzle-orm';
import type { EventResult } from '../../src/client';
import { deliveries } from '../../src/db/schema';
import { journey } from '../../src/journeys/builders';
import { eventually, startCairnTestStack, type CairnTestStack } from '../support/cairn-stack';

const RUNS = 20;

// Twenty promotions, all triggered by the same event: half may wait for the cap, half are
// low priority and give up at it.
const promotions = Array.from({ length: RUNS }, (_, index) =>
  journey(`promo-${index}`)
    .name(`Promotion ${index}`)
    .trigger('big_sale')
    .steps((s) => [
      s.send('offer', {
        priority: index < RUNS / 2 ? 'normal' : 'low',
        content: { subject: `Offer ${index}`, html: '<p>Sale</p>' },
      }),
    ])
    .toJSON(),
);

describe('frequency caps under a race, on the dev server', () => {
  let stack: CairnTestStack;

  beforeAll(async () => {
    stack = await startCairnTestStack({ caps: [{ channel: 'email', limit: 1, window: '1d' }] });
    for (const definition of promotions) {
      expect((await stack.request('POST', '/v1/journeys', definition)).status).toBe(201);
    }
  });

  afterAll(async () => {
    // The deferred runs would wait a day for the cap: end them with the test.
    for (let index = 0; index < RUNS; index += 1) {
      await stack.temporal.workflow
        .getHandle(`journey:promo-${index}:racer`)
        .terminate('test over')
        .catch(() => undefined);
    }
    await stack?.close();
  });

  it('lets exactly one of 20 concurrent runs email the customer; the rest defer or skip with a reason', async () => {
    await stack.request('PUT', '/v1/customers/racer', { email: 'racer@example.com' });
    const sale = await stack.request<EventResult>('POST', '/v1/events', {
      id: 'sale-1',
      customerId: 'racer',
      type: 'big_sale',
    });
    expect(sale.status).toBe(202);
    await stack.awaitRouted('sale-1');

    const rows = await eventually(
      async () => {
        const all = await stack.database.db
          .select()
          .from(deliveries)
          .where(eq(deliveries.customerId, 'racer'));
        const decided = all.filter(
          (r) => r.status !== 'pending' || r.reason === 'frequency_capped',
        );
        return decided.length === RUNS ? all : null;
      },
      { timeoutMs: 60_000 },
    );
    const byOutcome = rows.map((r) => `${r.status}:${r.reason ?? ''}`).sort();
    expect(byOutcome.filter((o) => o === 'sent:')).toHaveLength(1);
    const others = byOutcome.filter((o) => o !== 'sent:');
    expect(others).toHaveLength(RUNS - 1);
    expect(
      others.every((o) => o === 'pending:frequency_capped' || o === 'skipped:frequency_capped'),
    ).toBe(true);
    expect(others.filter((o) => o.startsWith('skipped')).length).toBeGreaterThanOrEqual(
      RUNS / 2 - 1,
    );
    expect(
      stack.smtp.messages.filter((m) => m.envelope.to.includes('racer@example.com')),
    ).toHaveLength(1);
  });
});
