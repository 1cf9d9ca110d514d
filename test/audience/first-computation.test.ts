import { asc, eq, sql } from 'drizzle-orm';
import { liveMembership } from '../../src/audience/live-membership';
import { publishSegment } from '../../src/audience/segment-catalogue';
import { upsertCustomer } from '../../src/customers';
import { events } from '../../src/db/schema';
import { segmentDefinitionSchema, type SegmentDefinitionInput } from '../../src/segments/schema';
import { storeAudienceBatch } from '../support/audience-batch';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * A segment's first computation finds who is a member already: their entries are stored, on the
 * timeline and for segments built on it, but start no journey (audience_only), so a journey on
 * the segment published while the pages are computed does not start for some pages only. A
 * customer who then becomes a member, and one a later version takes in, enter as news.
 */

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  for (const id of ['already', 'later', 'browser']) await upsertCustomer(database.db, id, {});
});
afterAll(async () => database?.close());

const membership = () =>
  liveMembership({ db: database.db, emailMarketingDefault: 'opted_in', computePage: 1 });

async function computeAll(part: ReturnType<typeof membership>) {
  for (let pass = 0; pass < 20; pass += 1) if ((await part.upkeep()) === 0) return;
  throw new Error('the computation kept going');
}

const publish = (definition: SegmentDefinitionInput) =>
  publishSegment(database.db, segmentDefinitionSchema.parse(definition));

async function entries() {
  const rows = await database.db
    .select({ customerId: events.customerId, audienceOnly: events.audienceOnly })
    .from(events)
    .where(eq(events.type, 'segment_entered'))
    .orderBy(asc(events.seq));
  return rows;
}

it('stores the members a first computation finds as no news, and later entries as news', async () => {
  await storeAudienceBatch(database.db, [
    { id: 'already-order', customerId: 'already', type: 'purchase' },
    { id: 'browser-view', customerId: 'browser', type: 'page_view' },
  ]);
  const part = membership();
  await publish({ id: 'buyers', name: 'Buyers', where: { performed: { event: 'purchase' } } });
  await computeAll(part);
  expect(await entries()).toEqual([{ customerId: 'already', audienceOnly: true }]);

  const live = await storeAudienceBatch(database.db, [
    { id: 'later-order', customerId: 'later', type: 'purchase' },
  ]);
  expect(await part.forEvents(live)).toBe(1);
  expect((await entries()).at(-1)).toEqual({ customerId: 'later', audienceOnly: false });

  // A new version is a change of what the segment means: who it takes in enters as news.
  await publish({
    id: 'buyers',
    name: 'Buyers and browsers',
    where: { any: [{ performed: { event: 'purchase' } }, { performed: { event: 'page_view' } }] },
  });
  await computeAll(part);
  expect((await entries()).at(-1)).toEqual({ customerId: 'browser', audienceOnly: false });
  const [{ count } = { count: 0 }] = await database.db
    .select({ count: sql<number>`count(*)::int` })
    .from(events)
    .where(eq(events.type, 'segment_entered'));
  expect(count).toBe(3);
});
