import { Readable } from 'node:stream';
import { and, asc, eq, isNull } from 'drizzle-orm';
import { publishSegment } from '../../src/audience/segment-catalogue';
import { importManualMembers } from '../../src/audience/manual-import';
import { openDatabase, type DatabaseHandle } from '../../src/db/database';
import { customers, events, segmentMemberships } from '../../src/db/schema';
import { createTestDatabase } from '../support/test-database';

/**
 * A manual segment's member list from a CSV file, on both stores Cairn runs on: Postgres (COPY
 * into a temporary table) and embedded PGlite (`npm start`, batched inserts). The same file in
 * each mode leaves the same members and the same entry and exit events.
 */

const NOW = new Date('2026-12-01T09:00:00Z');

/** The text in pieces split mid-line, as a stream arrives: the reader must join them. */
function file(text: string): Readable {
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += 7) pieces.push(text.slice(i, i + 7));
  return Readable.from(pieces);
}

async function members(handle: DatabaseHandle, segmentId: string): Promise<string[]> {
  const rows = await handle.db
    .select({ id: segmentMemberships.customerId })
    .from(segmentMemberships)
    .where(and(eq(segmentMemberships.segmentId, segmentId), isNull(segmentMemberships.exitedAt)))
    .orderBy(asc(segmentMemberships.customerId));
  return rows.map((row) => row.id);
}

async function membershipEvents(handle: DatabaseHandle): Promise<string[]> {
  const rows = await handle.db
    .select({ type: events.type, customerId: events.customerId })
    .from(events)
    .where(eq(events.source, 'segments'))
    .orderBy(asc(events.seq));
  return rows.map((row) => `${row.type} ${row.customerId}`);
}

const stores: [string, () => Promise<DatabaseHandle>][] = [
  ['Postgres', createTestDatabase],
  ['embedded PGlite', () => openDatabase({})],
];

describe.each(stores)('manual import on %s', (_name, open) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await open();
    await handle.db
      .insert(customers)
      .values(['ada', 'bo', 'cy', 'dee', 'eve'].map((id) => ({ id })));
    await publishSegment(handle.db, { id: 'vip', name: 'VIP', kind: 'manual' });
  });
  afterAll(async () => handle.close());

  it('adds, replaces and removes, each change an event, unknown ids by first line', async () => {
    const added = await importManualMembers(
      handle.db,
      'vip',
      'add',
      file('customer_id\nada\nbo\nzed\nbo\ncy\nzed\n'),
      NOW,
    );
    expect(added).toMatchObject({ ids: 4, entered: 3, exited: 0, unknownCount: 1 });
    expect(added.unknownLines).toEqual([4]);
    expect(await members(handle, 'vip')).toEqual(['ada', 'bo', 'cy']);

    const later = new Date(NOW.getTime() + 60_000);
    const replaced = await importManualMembers(
      handle.db,
      'vip',
      'replace',
      file('cy\ndee\n'),
      later,
    );
    expect(replaced).toMatchObject({ entered: 1, exited: 2, unknownCount: 0 });
    expect(await members(handle, 'vip')).toEqual(['cy', 'dee']);

    const removed = await importManualMembers(
      handle.db,
      'vip',
      'remove',
      file('dee\neve\n'),
      new Date(later.getTime() + 60_000),
    );
    // eve was never a member: nothing to close for her.
    expect(removed).toMatchObject({ entered: 0, exited: 1 });
    expect(await members(handle, 'vip')).toEqual(['cy']);

    expect((await membershipEvents(handle)).sort()).toEqual(
      [
        'segment_entered ada',
        'segment_entered bo',
        'segment_entered cy',
        'segment_entered dee',
        'segment_exited ada',
        'segment_exited bo',
        'segment_exited dee',
      ].sort(),
    );
  });
});
