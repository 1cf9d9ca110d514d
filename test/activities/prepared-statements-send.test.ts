import { eq, sql } from 'drizzle-orm';
import type { createActivities } from '../../src/activities';
import { openDatabase, type DatabaseHandle } from '../../src/db/database';
import { customerTopics, deliveries, events, journeyRuns, topics } from '../../src/db/schema';
import { consentGateFor } from '../../src/guardrails/consent-gate';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peer';
import { createTestDatabase } from '../support/test-database';
import { activityEnvironment, seedCustomer, sendRequest, testActivities } from './fixtures';

const NOW = new Date('2026-03-02T09:30:00Z');
const OPENED = new Date('2026-02-27T18:00:00Z');

/**
 * The send path's statements are built once per database and executed with their values as
 * placeholders: on both drivers, the rows they write and the answers they read are the ones the
 * statements built per call gave (SQL NULL stays NULL, dates stay instants).
 */
describe.each([
  ['embedded PGlite', () => openDatabase({})],
  ['Postgres', () => createTestDatabase()],
])('statements prepared once per database, on %s', (_driver, open) => {
  let handle: DatabaseHandle;
  let peer: SmtpPeer;
  let activities: ReturnType<typeof createActivities>;
  const { env } = activityEnvironment();

  beforeAll(async () => {
    handle = await open();
    peer = await startSmtpPeer();
    activities = testActivities({
      db: handle.db,
      consentGate: consentGateFor(handle),
      smtpUrl: peer.url,
      config: { appUrl: 'https://shop.test' },
      clock: () => NOW,
    });
    await handle.db.insert(topics).values({ id: 'news', name: 'News', mode: 'opt_out' });
  });

  afterAll(async () => {
    await peer?.stop();
    await handle?.close();
  });

  const rowOf = async (deliveryId: string) => {
    const [row] = await handle.db
      .select({ row: deliveries, detailIsNull: sql<boolean>`${deliveries.detail} is null` })
      .from(deliveries)
      .where(eq(deliveries.id, deliveryId));
    return row;
  };

  it('opens, claims and records a send, and answers its retry from the ledger', async () => {
    await seedCustomer(handle.db, { id: 'ada', email: 'Ada@Example.com' });
    const request = sendRequest({ customerId: 'ada', messageKind: 'transactional' });

    const outcome = await env.run(activities.sendMessage, request);
    const retried = await env.run(activities.sendMessage, request);

    expect(outcome).toEqual({ status: 'sent', deliveryId: expect.any(String) as unknown });
    expect(retried).toEqual(outcome);
    expect(peer.messages).toHaveLength(1);
    const { deliveryId } = outcome as { deliveryId: string };
    expect(await rowOf(deliveryId)).toEqual({
      row: expect.objectContaining({
        status: 'sent',
        reason: null,
        attempts: 1,
        recipient: 'Ada@Example.com',
        providerMessageId: expect.any(String) as unknown,
        claimedAt: NOW,
        sentAt: NOW,
      }) as unknown,
      detailIsNull: true,
    });
  });

  it('settles a send the one read refuses, with its reason', async () => {
    await seedCustomer(handle.db, { id: 'quiet' });
    await handle.db
      .insert(customerTopics)
      .values({ customerId: 'quiet', topicId: 'news', status: 'unsubscribed' });
    await seedCustomer(handle.db, { id: 'keen' });

    const refused = await env.run(
      activities.sendMessage,
      sendRequest({ customerId: 'quiet', topic: 'news' }),
    );
    const allowed = await env.run(
      activities.sendMessage,
      sendRequest({ customerId: 'keen', topic: 'news' }),
    );

    expect(refused).toMatchObject({ status: 'skipped', reason: 'topic_unsubscribed' });
    expect(allowed).toMatchObject({ status: 'sent' });
    const { deliveryId } = refused as { deliveryId: string };
    expect(await rowOf(deliveryId)).toMatchObject({
      row: { status: 'skipped', reason: 'topic_unsubscribed', claimedAt: null },
    });
  });

  it('loads a profile with its last engagement in one statement', async () => {
    await seedCustomer(handle.db, { id: 'grace', attributes: { plan: 'pro' } });
    await handle.db.insert(events).values([
      { id: 'e-open', customerId: 'grace', type: 'email_opened', occurredAt: OPENED },
      { id: 'e-buy', customerId: 'grace', type: 'purchase', occurredAt: NOW },
    ]);
    await seedCustomer(handle.db, { id: 'linus' });

    await expect(env.run(activities.loadProfile, 'grace')).resolves.toMatchObject({
      id: 'grace',
      plan: 'pro',
      last_engaged_at: OPENED.toISOString(),
    });
    await expect(env.run(activities.loadProfile, 'linus')).resolves.not.toHaveProperty(
      'last_engaged_at',
    );
    await expect(env.run(activities.loadProfile, 'nobody')).rejects.toMatchObject({
      type: 'CustomerNotFound',
    });
  });

  it('records a run finished once, keeping the stored trace when none is given', async () => {
    const stored = [{ kind: 'entered' }];
    await handle.db.insert(journeyRuns).values([
      { workflowId: 'w-kept', journeyId: 'j', journeyVersion: 1, customerId: 'ada', trace: stored },
      { workflowId: 'w-traced', journeyId: 'j', journeyVersion: 1, customerId: 'ada' },
    ]);
    const finish = { status: 'completed' as const, finishReason: 'completed' };

    await expect(
      env.run(activities.recordRunFinished, { ...finish, workflowId: 'w-kept' }),
    ).resolves.toEqual({ updated: true });
    await expect(
      env.run(activities.recordRunFinished, {
        ...finish,
        workflowId: 'w-traced',
        trace: [{ kind: 'finished' }],
      }),
    ).resolves.toEqual({ updated: true });
    await expect(
      env.run(activities.recordRunFinished, { ...finish, workflowId: 'w-kept' }),
    ).resolves.toEqual({ updated: false });

    const runs = await handle.db
      .select({ workflowId: journeyRuns.workflowId, trace: journeyRuns.trace })
      .from(journeyRuns)
      .orderBy(journeyRuns.workflowId);
    expect(runs).toEqual([
      { workflowId: 'w-kept', trace: stored },
      { workflowId: 'w-traced', trace: [{ kind: 'finished' }] },
    ]);
    const [ended] = await handle.db
      .select()
      .from(journeyRuns)
      .where(eq(journeyRuns.workflowId, 'w-kept'));
    expect(ended).toMatchObject({ status: 'completed', finishReason: 'completed', endedAt: NOW });
  });
});
