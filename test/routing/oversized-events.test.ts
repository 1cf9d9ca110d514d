/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access -- response bodies are read as loose JSON; the assertions check the shape. */
import { count, eq } from 'drizzle-orm';
import { events, journeyRuns } from '../../src/db/schema';
import { journeyWorkflowId } from '../../src/journeys/workflow-id';
import { eventSizeLimit } from '../../src/routing/payload-limits';
import {
  auth,
  awaitRouted,
  createHarness,
  publishJourney,
  welcomeJourney,
  type Harness,
} from '../api/harness';

/**
 * An event rides in the start input of the run it triggers, and Temporal refuses a payload over
 * its limit (2 MiB on the test server, as by default). Such an event used to be stored, retried
 * forever, and leave a running registry row with no run behind it, after which the customer
 * could never enter the journey again.
 */
let h: Harness;
beforeAll(async () => {
  h = await createHarness({ temporal: 'live', router: true });
  for (const id of ['ann', 'bob']) {
    await h.inject({ method: 'PUT', url: `/v1/customers/${id}`, headers: auth, payload: {} });
  }
  await publishJourney(h, welcomeJourney);
});
afterAll(async () => h.close());

const LIMIT = eventSizeLimit();
/** About `bytes` of JSON in strings the API's input limits take (at most 100,000 characters). */
const padding = (bytes: number) => {
  const chunk = 90_000;
  const parts: Record<string, string> = {};
  for (let i = 0; i * chunk < bytes; i += 1) {
    parts[`p${i}`] = 'x'.repeat(Math.min(chunk, bytes - i * chunk));
  }
  return parts;
};
const storedEvents = async () => (await h.db.db.select({ n: count() }).from(events))[0]?.n;

describe('an event larger than Temporal can carry', () => {
  it('is refused with a 413 naming its properties, and nothing is stored', async () => {
    const before = await storedEvents();
    const single = await h.inject({
      method: 'POST',
      url: '/v1/events',
      headers: auth,
      payload: { id: 'big-1', customerId: 'ann', type: 'signed_up', properties: padding(LIMIT) },
    });
    expect(single.statusCode).toBe(413);
    expect(single.json()).toEqual({
      error: {
        code: 'event_too_large',
        message: expect.stringContaining(`${LIMIT} bytes`),
        issues: [{ path: 'properties', message: expect.any(String) }],
      },
    });

    const batch = await h.inject({
      method: 'POST',
      url: '/v1/events/batch',
      headers: auth,
      payload: {
        items: [
          { id: 'small-1', customerId: 'ann', type: 'viewed' },
          { id: 'big-2', customerId: 'ann', type: 'viewed', properties: padding(LIMIT) },
        ],
      },
    });
    expect(batch.statusCode).toBe(413);
    expect(batch.json().error.issues).toEqual([
      { path: 'items.1.properties', message: expect.any(String) },
    ]);
    expect(await storedEvents()).toBe(before);
  });

  it('is taken just under the limit', async () => {
    const res = await h.inject({
      method: 'POST',
      url: '/v1/events',
      headers: auth,
      payload: {
        id: 'fits-1',
        customerId: 'ann',
        type: 'viewed',
        properties: padding(LIMIT - 100),
      },
    });
    expect(res.statusCode).toBe(202);
  });
});

describe('a start Temporal refuses', () => {
  const workflowId = journeyWorkflowId('welcome', 'bob');
  const rowsOf = () =>
    h.db.db.select().from(journeyRuns).where(eq(journeyRuns.workflowId, workflowId));

  it('leaves no running row, routes its event once, and keeps the journey open to the customer', async () => {
    // Stored past the API (an older Cairn took it, or Temporal's limit is lower than configured).
    const now = new Date();
    await h.db.db.insert(events).values({
      id: 'huge-signup',
      customerId: 'bob',
      type: 'signed_up',
      occurredAt: now,
      receivedAt: now,
      properties: padding(3 * 1024 * 1024),
      source: 'test',
      nextRoutingAt: now,
    });
    h.outboxSignal.notify();
    await awaitRouted(h, 'huge-signup');
    expect(await rowsOf()).toEqual([
      expect.objectContaining({ status: 'failed', finishReason: 'start_refused' }),
    ]);

    // The refused start was never an entry: the once-only journey still takes bob.
    const res = await h.inject({
      method: 'POST',
      url: '/v1/events',
      headers: auth,
      payload: { id: 'small-signup', customerId: 'bob', type: 'signed_up' },
    });
    expect(res.statusCode).toBe(202);
    await awaitRouted(h, 'small-signup');
    const rows = await rowsOf();
    expect(rows).toHaveLength(2);
    expect(rows.find((r) => r.triggerEventId === 'small-signup')).toMatchObject({
      status: 'running',
      temporalRunId: expect.any(String),
    });
  });
});
