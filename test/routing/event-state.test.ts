import { eq } from 'drizzle-orm';
import { customers, events, journeyRuns } from '../../src/db/schema';
import { readEventRoutingState } from '../../src/routing/event-state';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

describe("an event's routing state", () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
    await database.db.insert(customers).values({ id: 'ada' });
    await database.db.insert(events).values({
      id: 'signup-ada',
      customerId: 'ada',
      type: 'signed_up',
      occurredAt: new Date(),
    });
  });

  afterAll(async () => {
    await database?.close();
  });

  it('lists a run as started only once Temporal took it', async () => {
    // The router registers a run before it asks Temporal; while Temporal is down it stays so.
    const [run] = await database.db
      .insert(journeyRuns)
      .values({
        workflowId: 'journey:welcome:ada',
        journeyId: 'welcome',
        journeyVersion: 1,
        customerId: 'ada',
        triggerEventId: 'signup-ada',
      })
      .returning();
    expect(await readEventRoutingState(database.db, 'signup-ada')).toMatchObject({
      routed: false,
      runsStarted: [],
    });

    await database.db
      .update(journeyRuns)
      .set({ temporalRunId: 'run-1' })
      .where(eq(journeyRuns.id, run!.id));
    expect(await readEventRoutingState(database.db, 'signup-ada')).toMatchObject({
      runsStarted: ['journey:welcome:ada'],
    });
  });

  it('is null for an event never stored', async () => {
    expect(await readEventRoutingState(database.db, 'never')).toBeNull();
  });
});
