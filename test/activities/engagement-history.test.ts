import { createActivities } from '../../src/activities';
import { createEmailChannel } from '../../src/channels/email-channel';
import { events } from '../../src/db/schema';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { activityEnvironment, seedCustomer } from './fixtures';
import { TEST_IDENTIFIER_KEY } from '../support/identifier-key';

describe('engagement history for conditions and best-hour waits', () => {
  let database: TestDatabase;
  let activities: ReturnType<typeof createActivities>;
  const now = new Date('2026-11-20T12:00:00Z');

  beforeAll(async () => {
    database = await createTestDatabase();
    activities = createActivities({
      identifierKey: TEST_IDENTIFIER_KEY,
      db: database.db,
      email: createEmailChannel({ url: 'smtp://127.0.0.1:1', from: 'Cairn <c@cairn.test>' }),
      config: { companyName: 'Acme', defaultTimeZone: 'UTC' },
      clock: () => now,
    });
    await seedCustomer(database.db, { id: 'eli' });
    await seedCustomer(database.db, { id: 'quiet' });
    const at = (iso: string) => new Date(iso);
    await database.db.insert(events).values([
      { id: 'e1', customerId: 'eli', type: 'email_opened', occurredAt: at('2026-11-01T08:00:00Z') },
      {
        id: 'e2',
        customerId: 'eli',
        type: 'email_clicked',
        occurredAt: at('2026-11-10T19:00:00Z'),
      },
      { id: 'e3', customerId: 'eli', type: 'page_view', occurredAt: at('2026-11-19T10:00:00Z') },
      { id: 'e4', customerId: 'eli', type: 'email_opened', occurredAt: at('2026-05-01T10:00:00Z') },
    ]);
  });

  afterAll(async () => {
    await database?.close();
  });

  const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A) =>
    activityEnvironment().env.run(fn, ...args);

  it('puts the last open or click on the profile as last_engaged_at (page views do not count)', async () => {
    await expect(run(activities.loadProfile, 'eli')).resolves.toMatchObject({
      last_engaged_at: '2026-11-10T19:00:00.000Z',
    });
    const quiet = await run(activities.loadProfile, 'quiet');
    expect(quiet).not.toHaveProperty('last_engaged_at');
  });

  it('lists the engagement of the last 90 days, newest first, for best-hour waits', async () => {
    await expect(run(activities.loadEngagementTimes, 'eli')).resolves.toEqual([
      Date.parse('2026-11-10T19:00:00Z'),
      Date.parse('2026-11-01T08:00:00Z'),
    ]);
  });
});
