import { count, eq } from 'drizzle-orm';
import { ChannelError, type InAppChannel } from '../../src/channels/channel';
import { createInAppChannel } from '../../src/channels/in-app-channel';
import { customers, inAppMessages } from '../../src/db/schema';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let db: TestDatabase;
let channel: InAppChannel;
beforeAll(async () => {
  db = await createTestDatabase();
  await db.db.insert(customers).values({ id: 'cust-1' });
  channel = createInAppChannel({ db: db.db });
});
afterAll(async () => {
  await channel.close();
  await db.close();
});

const message = {
  deliveryId: '3f1c2a9e-0000-4000-8000-000000000001',
  customerId: 'cust-1',
  title: 'Your cart misses you',
  body: 'The lamp is still there.',
  actionUrl: 'https://shop.test/cart',
  data: { cartId: 'c-9' },
};

const rowsFor = (deliveryId: string) =>
  db.db.select().from(inAppMessages).where(eq(inAppMessages.deliveryId, deliveryId));

async function sendError(outbound: typeof message): Promise<ChannelError> {
  try {
    await channel.send(outbound);
  } catch (error) {
    if (error instanceof ChannelError) return error;
    throw error;
  }
  throw new Error('expected the send to fail');
}

describe('in-app channel', () => {
  it('stores an unread inbox entry and returns its id as the provider message id', async () => {
    const receipt = await channel.send(message);
    const [row] = await rowsFor(message.deliveryId);
    expect(receipt).toEqual({ providerMessageId: row?.id });
    expect(row).toMatchObject({
      customerId: 'cust-1',
      title: message.title,
      body: message.body,
      actionUrl: message.actionUrl,
      data: { cartId: 'c-9' },
      status: 'unread',
      readAt: null,
      archivedAt: null,
    });
  });

  it('stores one entry when the same delivery is sent twice, and answers the same id', async () => {
    const retry = { ...message, deliveryId: '3f1c2a9e-0000-4000-8000-000000000002' };
    const first = await channel.send(retry);
    const second = await channel.send({ ...retry, title: 'A retry never rewrites the entry' });
    expect(second.providerMessageId).toBe(first.providerMessageId);
    const rows = await rowsFor(retry.deliveryId);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.title).toBe(message.title);
  });

  it('defaults actionUrl to null and data to {}', async () => {
    const deliveryId = '3f1c2a9e-0000-4000-8000-000000000003';
    await channel.send({ deliveryId, customerId: 'cust-1', title: 'Hi', body: 'Hello' });
    expect((await rowsFor(deliveryId))[0]).toMatchObject({ actionUrl: null, data: {} });
  });

  it('refuses an unknown customer permanently and stores nothing', async () => {
    const error = await sendError({
      ...message,
      deliveryId: '3f1c2a9e-0000-4000-8000-000000000004',
      customerId: 'nobody',
    });
    expect(error).toMatchObject({ kind: 'permanent', code: 'unknown_customer' });
    const [total] = await db.db.select({ n: count() }).from(inAppMessages);
    expect(total?.n).toBe(3);
  });

  it('classifies a lost database connection as transient (storing is safe to repeat)', async () => {
    const gone = await createTestDatabase();
    await gone.close();
    const offline = createInAppChannel({ db: gone.db });
    const error = await (async () => {
      try {
        await offline.send(message);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ChannelError);
    expect(error).toMatchObject({ kind: 'transient', code: 'CONNECTION_ENDED' });
  });
});
