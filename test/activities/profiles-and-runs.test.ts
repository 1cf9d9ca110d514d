import { eq } from 'drizzle-orm';
import { createActivities } from '../../src/activities';
import type { EmailChannel } from '../../src/channels/channel';
import { customers, journeyRuns } from '../../src/db/schema';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { activityEnvironment, seedCustomer } from './fixtures';
import { TEST_IDENTIFIER_KEY } from '../support/identifier-key';

const ENDED = new Date('2024-05-02T08:00:00Z');

/** These activities never send; a channel that fails loudly proves it. */
const noEmail: EmailChannel = {
  name: 'email',
  send: () => Promise.reject(new Error('no email expected')),
  close: () => Promise.resolve(),
};

describe('profile and run activities', () => {
  let database: TestDatabase;
  let activities: ReturnType<typeof createActivities>;
  const { env } = activityEnvironment();

  beforeAll(async () => {
    database = await createTestDatabase();
    activities = createActivities({
      identifierKey: TEST_IDENTIFIER_KEY,
      db: database.db,
      email: noEmail,
      config: { companyName: 'Shop', defaultTimeZone: 'UTC' },
      clock: () => ENDED,
    });
    await seedCustomer(database.db, {
      id: 'c1',
      email: 'ada@example.com',
      phone: '+15550100',
      timeZone: 'Europe/Paris',
      locale: 'fr-FR',
      consent: { email: 'opted_in' },
      attributes: { first_name: 'Ada', plan: 'pro', email: 'shadow@example.com', id: 'spoofed' },
    });
  });

  afterAll(async () => {
    await database.close();
  });

  describe('loadProfile', () => {
    it('returns flattened attributes and flags instead of contact data', async () => {
      const profile = await env.run(activities.loadProfile, 'c1');
      expect(profile).toEqual({
        id: 'c1',
        timeZone: 'Europe/Paris',
        locale: 'fr-FR',
        hasEmail: true,
        hasPhone: true,
        consent: { email: 'opted_in' },
        first_name: 'Ada',
        plan: 'pro',
        // The segments the customer is in (none here): segments.<id> in conditions.
        $segments: [],
        // Every score as read now: nothing counted yet; email, completeness 2 of 3, fresh.
        scores: { data_quality: 0.625, engagement: 0 },
      });
      expect(JSON.stringify(profile)).not.toContain('example.com');
    });

    it('fails for good on an unknown customer', async () => {
      await expect(env.run(activities.loadProfile, 'ghost')).rejects.toMatchObject({
        type: 'CustomerNotFound',
        nonRetryable: true,
      });
    });
  });

  describe('applyProfileUpdate', () => {
    it('merges attributes, removes nulls and is idempotent', async () => {
      const set = { plan: 'enterprise', onboarded: true, first_name: null };
      const once = await env.run(activities.applyProfileUpdate, 'c1', set);
      const twice = await env.run(activities.applyProfileUpdate, 'c1', set);

      expect(twice).toEqual(once);
      expect(once).toMatchObject({ id: 'c1', plan: 'enterprise', onboarded: true });
      expect(once).not.toHaveProperty('first_name');
      const [row] = await database.db.select().from(customers).where(eq(customers.id, 'c1'));
      expect(row?.attributes).toEqual({
        plan: 'enterprise',
        onboarded: true,
        email: 'shadow@example.com',
        id: 'spoofed',
      });
    });

    it('refuses built-in fields and malformed names, naming them', async () => {
      await expect(
        env.run(activities.applyProfileUpdate, 'c1', { email: 'x@example.com' }),
      ).rejects.toMatchObject({
        type: 'InvalidActivityRequest',
        message: expect.stringContaining('set.email') as string,
      });
      await expect(
        env.run(activities.applyProfileUpdate, 'c1', { 'bad name': 1 }),
      ).rejects.toMatchObject({
        nonRetryable: true,
        message: expect.stringContaining('set.bad name') as string,
      });
    });

    it('fails for good on an unknown customer', async () => {
      await expect(
        env.run(activities.applyProfileUpdate, 'ghost', { plan: 'x' }),
      ).rejects.toMatchObject({
        type: 'CustomerNotFound',
      });
    });
  });

  describe('runs registry', () => {
    const workflowId = 'journey:cart:c1';

    beforeAll(async () => {
      await database.db
        .insert(journeyRuns)
        .values({ workflowId, journeyId: 'cart', journeyVersion: 1, customerId: 'c1' });
    });

    const runRow = async () =>
      (
        await database.db.select().from(journeyRuns).where(eq(journeyRuns.workflowId, workflowId))
      )[0];

    it('records the Temporal run id on the running row, and tolerates a missing row', async () => {
      await expect(
        env.run(activities.recordRunStarted, { workflowId, temporalRunId: 'run-abc' }),
      ).resolves.toEqual({ updated: true });
      expect(await runRow()).toMatchObject({ temporalRunId: 'run-abc', status: 'running' });
      await expect(
        env.run(activities.recordRunStarted, {
          workflowId: 'journey:none:x',
          temporalRunId: 'run-x',
        }),
      ).resolves.toEqual({ updated: false });
    });

    it('marks the running row finished once', async () => {
      const request = { workflowId, status: 'exited' as const, finishReason: 'exit_event' };
      await expect(env.run(activities.recordRunFinished, request)).resolves.toEqual({
        updated: true,
      });
      await expect(
        env.run(activities.recordRunFinished, { ...request, status: 'completed' as const }),
      ).resolves.toEqual({ updated: false });
      expect(await runRow()).toMatchObject({
        status: 'exited',
        finishReason: 'exit_event',
        endedAt: ENDED,
      });
    });

    it("refuses 'running' as a finished status", async () => {
      await expect(
        env.run(activities.recordRunFinished, {
          workflowId,
          status: 'running' as const,
          finishReason: 'completed',
        }),
      ).rejects.toMatchObject({ type: 'InvalidActivityRequest', nonRetryable: true });
    });
  });
});
