import { eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { preparedPerDatabase } from '../db/prepared';
import { customers, events } from '../db/schema';
import type { ProfileSnapshot } from '../journeys/run-types';
import type { ScoreCatalogue } from '../scores';
import { ENGAGEMENT_EVENT_TYPES } from './engagement';
import { currentIdSql } from './redirect-sql';
import { toProfileSnapshot, type ProfileSource } from './profile-snapshot';
import type { CustomerRow } from './read-customer';
import {
  snapshotScores,
  sourcesColumn,
  storedScoresColumn,
  type StoredRow,
} from './snapshot-scores';

/** A stored customer as the source of its snapshot (with its memberships and stage, when read). */
export function profileSourceOf(
  customer: CustomerRow,
  lastEngagedAt: Date | null,
  segments?: readonly string[],
  lifecycleStage: string | null = null,
): ProfileSource {
  return {
    ...(segments ? { segments } : {}),
    id: customer.id,
    timeZone: customer.timeZone,
    locale: customer.locale,
    hasEmail: Boolean(customer.email),
    hasPhone: Boolean(customer.phone),
    consent: customer.consent,
    attributes: customer.attributes,
    lastEngagedAt,
    lifecycleStage,
  };
}

/**
 * The customer's profile as conditions see it now, with the scores of `scores` (the catalogue
 * the caller loaded: src/audience loadScoreCatalogue), or null for an unknown customer (a customer
 * merged away is read as its survivor, so its runs go on with the survivor's profile): the customer,
 * their last engagement, the segments they are in and their scores, in one statement, built once
 * per database
 * (src/db/prepared.ts).
 */
export async function loadProfileSnapshot(
  db: Database,
  customerId: string,
  scores: ScoreCatalogue,
  now: Date = new Date(),
): Promise<ProfileSnapshot | null> {
  const [row] = await profileStatement(db).execute({ customerId });
  return row ? snapshotOf(row, now.getTime(), scores) : null;
}

const profileStatement = preparedPerDatabase((db) =>
  db
    .select(profileColumns())
    .from(customers)
    .where(eq(customers.id, currentIdSql(sql`${sql.placeholder('customerId')}::text`)))
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
  scores: ScoreCatalogue,
  now: Date = new Date(),
): Promise<Map<string, ProfileSnapshot>> {
  const ids = [...new Set(customerIds)];
  if (ids.length === 0) return new Map();
  const rows = await db.select(profileColumns()).from(customers).where(inArray(customers.id, ids));
  return new Map(rows.map((row) => [row.customer.id, snapshotOf(row, now.getTime(), scores)]));
}

function profileColumns() {
  return {
    customer: customers,
    lastEngagedAt: lastEngagedAtOfCustomer(),
    segments: segmentsOfSelectedCustomer(),
    storedScores: storedScoresColumn(),
    sources: sourcesColumn(),
    lifecycleStage: lifecycleStageOfCustomer(),
  };
}

interface ProfileRow {
  customer: CustomerRow;
  lastEngagedAt: Date | null;
  segments: string[];
  storedScores: StoredRow[] | null;
  sources: number;
  lifecycleStage: string | null;
}

/** The snapshot of a profile statement's row, with every score read at `now`. */
function snapshotOf(row: ProfileRow, now: number, catalogue: ScoreCatalogue): ProfileSnapshot {
  const source = profileSourceOf(
    row.customer,
    row.lastEngagedAt ?? null,
    row.segments,
    row.lifecycleStage ?? null,
  );
  const scores = snapshotScores(
    toProfileSnapshot(source),
    row.storedScores,
    { updatedAt: row.customer.updatedAt, sources: row.sources },
    now,
    catalogue,
  );
  return toProfileSnapshot({ ...source, scores });
}

/**
 * The ids of the segments the selected customer is a member of now (exited_at null), in id
 * order: segments.<id> in conditions. The membership rows are src/audience's, read here because
 * this is the one place that builds the profile conditions see.
 */
function segmentsOfSelectedCustomer() {
  return sql<string[]>`(select coalesce(array_agg(m.segment_id order by m.segment_id), '{}')
    from segment_memberships m
    where m.customer_id = "customers"."id" and m.exited_at is null)`;
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

/** The selected customer's stored lifecycle stage (src/audience keeps it live), or null. */
function lifecycleStageOfCustomer() {
  return sql<
    string | null
  >`(select l.stage from customer_lifecycle l where l.customer_id = "customers"."id")`;
}
