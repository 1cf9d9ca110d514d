import type { PushChannel } from '../../src/channels/channel';
import {
  listTokens,
  registerToken,
  removeTokens,
  type DeviceTokenRow,
} from '../../src/channels/device-tokens';
import { isPushSendError } from '../../src/channels/fcm-errors';
import { createPushChannel } from '../../src/channels/push-channel';
import { customers } from '../../src/db/schema';
import { peerCredential, startFcmPeer, type FcmPeer } from '../support/fcm-peer';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const PHONE = 'phone-token-0123456789';
const TABLET = 'tablet-token-9876543210';

const tokensOf = (rows: DeviceTokenRow[]) => rows.map((row) => row.token);

describe("push to a customer's stored tokens, removing the ones FCM rejects", () => {
  let db: TestDatabase;
  let peer: FcmPeer;
  let channel: PushChannel;

  beforeAll(async () => {
    db = await createTestDatabase();
    peer = await startFcmPeer();
    channel = createPushChannel({
      projectId: 'cairn-test',
      credential: peerCredential,
      httpAgent: peer.agent,
    });
    await db.db.insert(customers).values({ id: 'ada' });
    await registerToken(db.db, { customerId: 'ada', token: PHONE, platform: 'android' });
    await registerToken(db.db, { customerId: 'ada', token: TABLET, platform: 'ios' });
  });

  afterAll(async () => {
    await channel.close();
    await peer.stop();
    await db.close();
  });

  const sendToAda = async (deliveryId: string) =>
    channel.send({
      deliveryId,
      tokens: tokensOf(await listTokens(db.db, 'ada')),
      title: 'Welcome',
      body: 'Finish your profile',
      priority: 'normal',
    });

  it('removes an unregistered token after the first send; the next send reaches the other', async () => {
    peer.unregister(PHONE);
    const first = await sendToAda('delivery-1');
    expect(first.delivered).toEqual([TABLET]);
    expect(await removeTokens(db.db, first.invalidTokens)).toBe(1);
    expect(tokensOf(await listTokens(db.db, 'ada'))).toEqual([TABLET]);

    const before = peer.sendAttempts;
    const second = await sendToAda('delivery-2');
    expect(second.delivered).toEqual([TABLET]);
    expect(second.invalidTokens).toEqual([]);
    expect(peer.sendAttempts - before).toBe(1);
    expect(peer.accepted.map((m) => [m.message.token, m.message.data?.delivery_id])).toEqual([
      [TABLET, 'delivery-1'],
      [TABLET, 'delivery-2'],
    ]);
  });

  it('can remove the invalid tokens of a send that failed outright', async () => {
    peer.unregister(TABLET);
    const error = await sendToAda('delivery-3').catch((caught: unknown) => caught);
    expect(isPushSendError(error) && error.code).toBe('no_valid_tokens');
    if (!isPushSendError(error)) throw error;
    await removeTokens(db.db, error.invalidTokens);
    expect(await listTokens(db.db, 'ada')).toEqual([]);
  });
});
