/* eslint-disable @typescript-eslint/no-unsafe-member-access -- response bodies are read as loose JSON; the assertions check the shape. */
import { deliveries } from '../../src/db/schema';
import { openDelivery, recordOutcomeUnknown } from '../../src/deliveries/ledger';
import { claimWithinCaps } from '../../src/deliveries/claim-within-caps';
import { deliveryIdFor } from '../../src/deliveries/delivery-id';
import { auth, createHarness, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ temporal: 'dead' });
  await h.inject({ method: 'PUT', url: '/v1/customers/ann', headers: auth, payload: {} });
});
afterAll(async () => h.close());

/** A message claimed by an attempt that died before the provider answered, recorded unknown. */
async function unknownDelivery(key: string): Promise<string> {
  const opening = {
    deliveryKey: key,
    customerId: 'ann',
    journeyId: 'receipts',
    journeyVersion: 1,
    workflowId: 'journey:receipts:ann',
    stepId: 'receipt',
    channel: 'email' as const,
    messageKind: 'transactional' as const,
  };
  const id = deliveryIdFor(key);
  await openDelivery(h.db.db, opening, id);
  await claimWithinCaps(h.db.db, {
    deliveryId: id,
    customerId: 'ann',
    channel: 'email',
    messageKind: 'transactional',
    rules: [],
    now: new Date(),
    patch: { recipient: 'ann@example.com', subject: 'Receipt' },
  });
  await recordOutcomeUnknown(h.db.db, id);
  return id;
}

describe('deliveries whose outcome is unknown', () => {
  it('are listed across customers and counted by /health', async () => {
    expect((await h.inject({ url: '/health' })).json()).toMatchObject({ unknownDeliveries: 0 });
    const id = await unknownDelivery('journey:receipts:ann/run-1/receipt/1/0');
    const listed = await h.inject({ url: '/v1/deliveries?status=unknown', headers: auth });
    expect(listed.statusCode).toBe(200);
    expect(listed.json().deliveries).toEqual([
      expect.objectContaining({ id, status: 'unknown', stepId: 'receipt', attempts: 1 }),
    ]);
    // No address or content in the listing.
    expect(JSON.stringify(listed.json())).not.toContain('ann@example.com');
    expect((await h.inject({ url: '/health' })).json()).toMatchObject({ unknownDeliveries: 1 });
    expect(await h.db.db.select().from(deliveries)).toHaveLength(1);
  });

  it('refuses another status, naming the field', async () => {
    const res = await h.inject({ url: '/v1/deliveries?status=sent', headers: auth });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.issues).toEqual([expect.objectContaining({ path: 'status' })]);
  });

  it('needs an API key', async () => {
    expect((await h.inject({ url: '/v1/deliveries?status=unknown' })).statusCode).toBe(401);
  });
});
