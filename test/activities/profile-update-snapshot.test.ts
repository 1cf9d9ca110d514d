import { createProfileActivities } from '../../src/activities/profiles';
import { events } from '../../src/db/schema';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { activityEnvironment, seedCustomer } from './fixtures';

/** An updateProfile step must leave the run with the same fields its first loadProfile gave. */
describe('applyProfileUpdate answers the whole snapshot', () => {
  let database: TestDatabase;
  const { env } = activityEnvironment();

  beforeAll(async () => {
    database = await createTestDatabase();
    await seedCustomer(database.db, { id: 'c1', email: 'ada@example.com', attributes: {} });
    await database.db.insert(events).values({
      id: 'open-1',
      customerId: 'c1',
      type: 'email_opened',
      occurredAt: new Date('2026-11-20T08:00:00Z'),
      properties: {},
    });
  });
  afterAll(async () => database.close());

  it('keeps last_engaged_at, hasEmail and hasPhone after an update', async () => {
    const activities = createProfileActivities(database.db);
    const loaded = await env.run(activities.loadProfile, 'c1');
    const updated = await env.run(activities.applyProfileUpdate, 'c1', { plan: 'pro' });
    expect(loaded).toMatchObject({ last_engaged_at: '2026-11-20T08:00:00.000Z', hasEmail: true });
    expect(updated).toEqual({ ...(loaded as object), plan: 'pro' });
  });
});
