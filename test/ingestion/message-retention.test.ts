import { sql } from 'drizzle-orm';
import { pruneSpecMessages } from '../../src/ingestion/message-retention';
import { acceptedMessageIds, claimMessageIds } from '../../src/ingestion/message-ledger';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/**
 * The retention of accepted Segment-spec messageIds: those older than the cut are forgotten in
 * short batches, newer ones kept; a backlog larger than one call's batches is left for the next.
 */

const DAY = 86_400_000;
const NOW = new Date('2026-12-01T12:00:00.000Z');
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY);

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database?.close());

const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

async function accept(messageIds: string[], at: Date) {
  await claimMessageIds(
    database.db,
    messageIds.map((messageId) => ({ messageId, type: 'track' })),
    at,
  );
}

it('forgets the messageIds accepted before the cut, batch by batch, and keeps the rest', async () => {
  await accept(ids('old', 7), daysAgo(40));
  await accept(ids('edge', 2), daysAgo(30));
  await accept(ids('new', 3), daysAgo(1));

  const pruned = await pruneSpecMessages(database.db, daysAgo(30), { batch: 2 });
  expect(pruned).toEqual({ deleted: 7, more: false });
  const left = await acceptedMessageIds(database.db, [
    ...ids('old', 7),
    ...ids('edge', 2),
    ...ids('new', 3),
  ]);
  expect([...left].sort()).toEqual([...ids('edge', 2), ...ids('new', 3)].sort());
  // A forgotten messageId can be claimed again: a replay after the retention is applied again.
  await accept(['old-0'], NOW);
  expect(await acceptedMessageIds(database.db, ['old-0'])).toEqual(new Set(['old-0']));
});

it('leaves a backlog beyond its batches for the next call', async () => {
  await database.db.execute(sql`delete from spec_messages`);
  await accept(ids('backlog', 5), daysAgo(90));
  expect(await pruneSpecMessages(database.db, daysAgo(30), { batch: 2, maxBatches: 2 })).toEqual({
    deleted: 4,
    more: true,
  });
  expect(await pruneSpecMessages(database.db, daysAgo(30), { batch: 2, maxBatches: 2 })).toEqual({
    deleted: 1,
    more: false,
  });
});
