import { eq } from 'drizzle-orm';
import type { ErrorResponse } from '../../src/client';
import { deliveries, events } from '../../src/db/schema';
import { auth, createHarness, type Harness } from './harness';

let h: Harness;

beforeAll(async () => {
  h = await createHarness({ temporal: 'live' });
  await h.inject({ method: 'PUT', url: '/v1/customers/pat', headers: auth, payload: {} });
  await h.inject({ method: 'PUT', url: '/v1/customers/sam', headers: auth, payload: {} });
  await h.db.db.insert(deliveries).values({
    id: '7a1e2b3c-0000-4000-8000-000000000001',
    deliveryKey: 'journey:app:pat/run/nudge/1/0',
    customerId: 'pat',
    journeyId: 'app',
    journeyVersion: 1,
    workflowId: 'journey:app:pat',
    stepId: 'nudge',
    channel: 'push',
    messageKind: 'marketing',
    status: 'sent',
  });
});

afterAll(async () => {
  await h?.close();
});

const post = (payload: object) =>
  h.inject({ method: 'POST', url: '/v1/events', headers: auth, payload });

describe('events about a message (push_opened from the app)', () => {
  it('are stored with the delivery they name', async () => {
    const response = await post({
      id: 'open-1',
      customerId: 'pat',
      type: 'push_opened',
      deliveryId: '7a1e2b3c-0000-4000-8000-000000000001',
    });
    expect(response.statusCode).toBe(202);
    const [row] = await h.db.db.select().from(events).where(eq(events.id, 'open-1'));
    expect(row).toMatchObject({
      deliveryId: '7a1e2b3c-0000-4000-8000-000000000001',
      properties: { deliveryId: '7a1e2b3c-0000-4000-8000-000000000001' },
    });
  });

  it('are refused, naming deliveryId and storing nothing, for another customer’s delivery', async () => {
    const response = await post({
      id: 'open-2',
      customerId: 'sam',
      type: 'push_opened',
      deliveryId: '7a1e2b3c-0000-4000-8000-000000000001',
    });
    expect(response.statusCode).toBe(404);
    expect((response.json() as ErrorResponse).error.issues?.[0]?.path).toBe('deliveryId');
    expect(await h.db.db.select().from(events).where(eq(events.id, 'open-2'))).toEqual([]);
  });

  it('are refused when the delivery id is not a uuid', async () => {
    const response = await post({
      id: 'open-3',
      customerId: 'pat',
      type: 'push_opened',
      deliveryId: 'x',
    });
    expect(response.statusCode).toBe(400);
    expect((response.json() as ErrorResponse).error.issues?.[0]?.path).toBe('deliveryId');
  });
});
