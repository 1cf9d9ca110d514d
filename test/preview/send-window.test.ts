import { publishVersion } from '../../src/catalogue';
import { previewRequestSchema } from '../../src/contract/preview';
import { upsertCustomer } from '../../src/customers';
import { parseJourneyDefinition } from '../../src/journeys/validate';
import { previewJourney } from '../../src/preview/preview-journey';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/** A preview waits for the deployment's send window, as a run the API starts does. */
describe('previewJourney and quiet hours', () => {
  let database: TestDatabase;
  const definition = parseJourneyDefinition({
    id: 'evening-news',
    name: 'Evening news',
    trigger: { event: 'subscribed' },
    entry: 'news',
    steps: [
      { id: 'news', type: 'send', channel: 'email', content: { subject: 'News', html: '<p></p>' } },
    ],
  });
  const request = previewRequestSchema.parse({
    customerId: 'ada',
    start: '2026-12-01T22:30:00Z',
  });

  beforeAll(async () => {
    database = await createTestDatabase();
    await upsertCustomer(database.db, 'ada', { email: 'ada@example.com', timeZone: 'UTC' });
    await publishVersion(database.db, definition);
  });
  afterAll(async () => database.close());

  const preview = () =>
    previewJourney(
      {
        db: database.db,
        defaultTimeZone: 'UTC',
        defaultSendWindow: { start: '08:00', end: '21:00' },
      },
      'evening-news',
      request,
      new Date(),
    );

  it("defers a marketing message to the deployment's window", async () => {
    const outcome = await preview();
    expect(outcome).toMatchObject({
      kind: 'previewed',
      result: { messages: [{ stepId: 'news', at: '2026-12-02T08:00:00.000Z' }] },
    });
  });

  it("lets the journey's own window win", async () => {
    await publishVersion(database.db, {
      ...definition,
      sendWindow: { start: '23:00', end: '23:59' },
    });
    const outcome = await preview();
    expect(outcome).toMatchObject({
      kind: 'previewed',
      result: { version: 2, messages: [{ at: '2026-12-01T23:00:00.000Z' }] },
    });
  });
});
