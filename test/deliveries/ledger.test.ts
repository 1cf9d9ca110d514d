import { customers } from '../../src/db/schema';
import { deliveryIdFor } from '../../src/deliveries/delivery-id';
import { deliveryOwners } from '../../src/deliveries/delivery-owners';
import { OUTCOME_UNKNOWN, recordedOutcome } from '../../src/deliveries/delivery-row';
import {
  findDeliveryByKey,
  openDelivery,
  recordOutcomeUnknown,
  recordSent,
  releaseClaim,
  settlePending,
  type DeliveryOpening,
} from '../../src/deliveries/ledger';
import { claimWithinCaps } from '../../src/deliveries/claim-within-caps';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let sequence = 0;

function opening(customerId = 'lea'): DeliveryOpening {
  sequence += 1;
  return {
    deliveryKey: `journey:j:${customerId}/run/step/${sequence}/0`,
    customerId,
    journeyId: 'j',
    journeyVersion: 1,
    workflowId: `journey:j:${customerId}`,
    stepId: 'step',
    channel: 'email',
    messageKind: 'transactional',
  };
}

describe('the delivery ledger', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
    await database.db.insert(customers).values([{ id: 'lea' }, { id: 'max' }]);
  });

  afterAll(async () => {
    await database?.close();
  });

  const open = async (values: DeliveryOpening) => {
    const row = await openDelivery(database.db, values, deliveryIdFor(values.deliveryKey));
    if (!row) throw new Error('customer missing');
    return row;
  };
  const claim = (id: string, customerId = 'lea') =>
    claimWithinCaps(database.db, {
      deliveryId: id,
      customerId,
      channel: 'email',
      messageKind: 'transactional',
      rules: [],
      now: new Date(),
      patch: { recipient: 'r', subject: 's' },
    });

  it('opens one row per key, and none for a customer that does not exist', async () => {
    const values = opening();
    const first = await open(values);
    const again = await open(values);
    expect(again.id).toBe(first.id);
    expect(first).toMatchObject({ status: 'pending', attempts: 0 });
    const ghost = opening('nobody');
    await expect(openDelivery(database.db, ghost, deliveryIdFor(ghost.deliveryKey))).resolves.toBe(
      null,
    );
    await expect(findDeliveryByKey(database.db, ghost.deliveryKey)).resolves.toBe(null);
  });

  it('settles only a pending row: a claimed one keeps its claim', async () => {
    const row = await open(opening());
    await expect(claim(row.id)).resolves.toMatchObject({ kind: 'claimed' });
    await expect(settlePending(database.db, row.id, 'skipped', 'no_consent')).resolves.toBe(null);
    await expect(findDeliveryByKey(database.db, row.deliveryKey)).resolves.toMatchObject({
      status: 'sending',
      attempts: 1,
    });
  });

  it('records an interrupted send as unknown, and a late provider answer as sent', async () => {
    const row = await open(opening());
    await claim(row.id);
    const unknown = await recordOutcomeUnknown(database.db, row.id);
    expect(unknown && recordedOutcome(unknown)).toEqual({
      status: 'failed',
      deliveryId: row.id,
      reason: OUTCOME_UNKNOWN,
    });
    await expect(recordOutcomeUnknown(database.db, row.id)).resolves.toBe(null);
    const sent = await recordSent(database.db, row.id, {
      providerMessageId: 'm-1',
      sentAt: new Date(),
    });
    expect(sent).toMatchObject({ status: 'sent', reason: null, providerMessageId: 'm-1' });
  });

  it('gives a claim back after a transient failure, so the retry can claim it again', async () => {
    const row = await open(opening());
    await claim(row.id);
    await expect(releaseClaim(database.db, row.id)).resolves.toMatchObject({ status: 'pending' });
    await expect(claim(row.id)).resolves.toMatchObject({ kind: 'claimed' });
    await expect(findDeliveryByKey(database.db, row.deliveryKey)).resolves.toMatchObject({
      attempts: 2,
    });
  });

  it("names each delivery's customer, leaving unknown ids out", async () => {
    const lea = await open(opening('lea'));
    const max = await open(opening('max'));
    const owners = await deliveryOwners(database.db, [lea.id, max.id, lea.id, deliveryIdFor('x')]);
    expect([...owners.entries()].sort()).toEqual(
      [
        [lea.id, 'lea'],
        [max.id, 'max'],
      ].sort(),
    );
  });
});
