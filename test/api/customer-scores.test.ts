import type { Customer } from '../../src/contract/customers';
import type { Timeline } from '../../src/contract/timeline';
import { DAY_MS } from '../../src/scores';
import { eventually } from '../support/eventually';
import { auth, createHarness, type Harness } from './harness';

/**
 * Scores on the profile API and the timeline: events sent to the API are counted by the router's
 * audience pass (it runs while Temporal is away), and GET /v1/customers/:id shows each score as
 * conditions read it, with the contributions that made it, newest first and bounded.
 */

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ temporal: 'dead', router: true });
});
afterAll(async () => h.close());

const json = { ...auth, 'content-type': 'application/json' };
const NOW = Date.now();
const ago = (days: number) => new Date(NOW - days * DAY_MS).toISOString();

it('shows the engagement score, its contributions and the data quality; the timeline shows the changes', async () => {
  const put = await h.inject({
    method: 'PUT',
    url: '/v1/customers/ada',
    headers: json,
    payload: { email: 'ada@example.com', attributes: { first_name: 'Ada', last_name: 'L' } },
  });
  expect(put.statusCode).toBe(201);
  // 22 page views a day apart, a purchase and a product view over 100; one view sent twice.
  const views = Array.from({ length: 22 }, (_, i) => ({
    id: `view-${i}`,
    customerId: 'ada',
    type: 'page_view',
    occurredAt: ago(30 - i),
  }));
  const items = [
    ...views,
    { id: 'order-1', customerId: 'ada', type: 'purchase', occurredAt: ago(2) },
    {
      id: 'pv-1',
      customerId: 'ada',
      type: 'product_view',
      occurredAt: ago(1),
      properties: { price: 120 },
    },
    { id: 'view-3', customerId: 'ada', type: 'page_view', occurredAt: ago(27) },
  ];
  const sent = await h.inject({
    method: 'POST',
    url: '/v1/events/batch',
    headers: json,
    payload: { items },
  });
  expect(sent.statusCode).toBeLessThan(300);

  // The formula at time t; the API reads it at its own now, between NOW and after the answer.
  const byHandAt = (t: number) => {
    const days = (iso: string) => (t - Date.parse(iso)) / DAY_MS;
    return (
      views.reduce((sum, view) => sum + 0.95 ** days(view.occurredAt), 0) +
      10 * 0.95 ** days(ago(2)) +
      3 * 0.95 ** days(ago(1))
    );
  };
  const customer = await eventually(
    async () => {
      const res = await h.inject({ url: '/v1/customers/ada', headers: auth });
      const body = res.json() as Customer;
      const engagement = body.scores?.find((s) => s.id === 'engagement');
      return engagement && engagement.contributions.length === 20 ? body : null;
    },
    { timeoutMs: 20_000, intervalMs: 100, describe: 'the router to count the events' },
  );
  const answeredBy = Date.now();
  const engagement = customer.scores?.find((s) => s.id === 'engagement');
  expect(engagement?.value).toBeLessThanOrEqual(byHandAt(NOW));
  expect(engagement?.value).toBeGreaterThanOrEqual(byHandAt(answeredBy));
  // 0.95 a day is a loss of 6e-10 of the value a millisecond: the ends are close.
  expect(engagement?.value).toBeCloseTo(byHandAt(answeredBy), 3);
  expect(engagement?.asOf).toBe(ago(1));
  expect(engagement?.contributions.slice(0, 3)).toEqual([
    { eventId: 'pv-1', eventType: 'product_view', points: 3, occurredAt: ago(1) },
    { eventId: 'order-1', eventType: 'purchase', points: 10, occurredAt: ago(2) },
    { eventId: 'view-21', eventType: 'page_view', points: 1, occurredAt: ago(9) },
  ]);
  // Email, complete and fresh: 3 of 4 checks; the events came from one source (the API).
  const quality = customer.scores?.find((s) => s.id === 'data_quality');
  expect(quality).toMatchObject({ kind: 'profile_quality', level: 'medium', contributions: [] });
  expect(quality?.value).toBeCloseTo(0.75, 10);

  const timeline = (
    await h.inject({ url: '/v1/customers/ada/timeline?limit=200', headers: auth })
  ).json() as Timeline;
  const changes = timeline.items.filter((item) => item.kind === 'score_changed');
  expect(changes).toHaveLength(24);
  // The last view and what it added, then the stage move the purchase made when it was counted.
  const last = timeline.items.slice(-3);
  expect(last).toEqual([
    expect.objectContaining({ kind: 'event', eventId: 'pv-1' }),
    {
      kind: 'score_changed',
      at: ago(1),
      scoreId: 'engagement',
      eventId: 'pv-1',
      eventType: 'product_view',
      points: 3,
    },
    expect.objectContaining({ kind: 'lifecycle_stage', from: 'prospect', to: 'new_customer' }),
  ]);
});

it('reports an unknown customer as 404', async () => {
  expect((await h.inject({ url: '/v1/customers/nobody', headers: auth })).statusCode).toBe(404);
});
