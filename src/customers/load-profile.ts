import { eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { preparedPerDatabase } from '../db/prepared';
import { customers, events } from '../db/schema';
import type { ProfileSnapshot } from '../journeys/run-types';
import { ENGAGEMENT_EVENT_TYPES } from './engagement';
import { toProfileSnapshot, type ProfileSource } from './profile-snapshot';
import type { CustomerRow } from './read-customer';

/** A stored customer as the source of its snapshot. */
export function profileSourceOf(
  customer: CustomerRow,
  lastEngagedAt: Date | null,
  lifecycleStage: string | null = null,
): ProfileSource {
  return {
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
 * The customer's profile as conditions see it now, or null for an unknown customer: the customer
 * and their last engagement in one statement, built once per database (src/db/prepared.ts).
 */
export async function loadProfileSnapshot(
  db: Database,
  customerId: string,
): Promise<ProfileSnapshot | null> {
  const [row] = await profileStatement(db).execute({ customerId });
  return row
    ? toProfileSnapshot(
        profileSourceOf(row.customer, row.lastEngagedAt ?? null, row.lifecycleStage ?? null),
      )
    : null;
}

const profileStatement = preparedPerDatabase((db) =>
  db
    .select({
      customer: customers,
      lastEngagedAt: lastEngagedAtOfCustomer(),
      lifecycleStage: lifecycleStageOfCustomer(),
    })
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
): Promise<Map<string, ProfileSnapshot>> {
  const ids = [...new Set(customerIds)];
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({
      customer: customers,
      lastEngagedAt: lastEngagedAtOfCustomer(),
      lifecycleStage: lifecycleStageOfCustomer(),
    })
    .from(customers)
    .where(inArray(customers.id, ids));
  return new Map(
    rows.map((row) => [
      row.customer.id,
      toProfileSnapshot(
        profileSourceOf(row.customer, row.lastEngagedAt ?? null, row.lifecycleStage ?? null),
      ),
    ]),
  );
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
