import { eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { preparedPerDatabase } from '../db/prepared';
import { customers, events } from '../db/schema';
import type { ProfileSnapshot } from '../journeys/run-types';
import { ENGAGEMENT_EVENT_TYPES } from './engagement';
import { toProfileSnapshot, type ProfileSource } from './profile-snapshot';
import type { CustomerRow } from './read-customer';
import {
  snapshotScores,
  sourcesColumn,
  storedScoresColumn,
  type StoredRow,
} from './snapshot-scores';

/** A stored customer as the source of its snapshot. */
export function profileSourceOf(customer: CustomerRow, lastEngagedAt: Date | null): ProfileSource {
  return {
    id: customer.id,
    timeZone: customer.timeZone,
    locale: customer.locale,
    hasEmail: Boolean(customer.email),
    hasPhone: Boolean(customer.phone),
    consent: customer.consent,
    attributes: customer.attributes,
    lastEngagedAt,
  };
}

interface ProfileRow {
  customer: CustomerRow;
  lastEngagedAt: Date | null;
  storedScores: StoredRow[] | null;
  sources: number;
}

/** The snapshot of a profile statement's row, with every score read at `now`. */
function snapshotOf(row: ProfileRow, now: number): ProfileSnapshot {
  const source = profileSourceOf(row.customer, row.lastEngagedAt ?? null);
  const scores = snapshotScores(
    toProfileSnapshot(source),
    row.storedScores,
    { updatedAt: row.customer.updatedAt, sources: row.sources },
    now,
  );
  return toProfileSnapshot({ ...source, scores });
}

const profileColumns = () => ({
  customer: customers,
  lastEngagedAt: lastEngagedAtOfCustomer(),
  storedScores: storedScoresColumn(),
  sources: sourcesColumn(),
});

/**
 * The customer's profile as conditions see it now, or null for an unknown customer: the customer,
 * their last engagement and their scores in one statement, built once per database
 * (src/db/prepared.ts).
 */
export async function loadProfileSnapshot(
  db: Database,
  customerId: string,
  now: Date = new Date(),
): Promise<ProfileSnapshot | null> {
  const [row] = await profileStatement(db).execute({ customerId });
  return row ? snapshotOf(row, now.getTime()) : null;
}

const profileStatement = preparedPerDatabase((db) =>
  db
    .select(profileColumns())
    .from(customers)
    .where(eq(customers.id, sql.placeholder('customerId')))
    .limit(1)
    .prepare('load_profile'),
);

/**
 * The profiles of several customers as conditions see them now, in one statement (the router
 * reads a whole batch's at once). Each is the same snapshot loadProfileSnapshot gives; unknown
 * customers are absent from the map.
 */
export async function loadProfileSnapshots(
  db: Database,
  customerIds: readonly string[],
  now: Date = new Date(),
): Promise<Map<string, ProfileSnapshot>> {
  const ids = [...new Set(customerIds)];
  if (ids.length === 0) return new Map();
  const rows = await db.select(profileColumns()).from(customers).where(inArray(customers.id, ids));
  return new Map(rows.map((row) => [row.customer.id, snapshotOf(row, now.getTime())]));
}

/** The selected customer's last open, click or read (lastEngagement as a column), or null. */
function lastEngagedAtOfCustomer() {
  // Qualified by hand: drizzle leaves columns of a one-table select unqualified, and inside the
  // subquery an unqualified "id" would be the event's.
  const engagementTypes = sql.join(
    ENGAGEMENT_EVENT_TYPES.map((type) => sql`${type}`),
    sql`, `,
  );
  return sql`(select max(e.occurred_at) from events e
    where e.customer_id = "customers"."id" and e.type in (${engagementTypes}))`.mapWith(
    events.occurredAt,
  );
}
