import { eq } from 'drizzle-orm';
import type { Database } from '../db/database';
import { customers } from '../db/schema';
import type { JourneyEvent, JsonObject, ProfileSnapshot } from '../journeys/run-types';

type CustomerRow = typeof customers.$inferSelect;

export async function loadCustomer(db: Database, customerId: string): Promise<CustomerRow | null> {
  const rows = await db.select().from(customers).where(eq(customers.id, customerId)).limit(1);
  return rows[0] ?? null;
}

/**
 * The profile as trigger conditions see it: attributes flattened to profile.<name>, beside the
 * built-in fields (which win over an attribute of the same name).
 */
export function profileSnapshot(customer: CustomerRow): ProfileSnapshot {
  return {
    ...customer.attributes,
    id: customer.id,
    timeZone: customer.timeZone,
    locale: customer.locale,
    email: customer.email,
    phone: customer.phone,
    consent: customer.consent,
  };
}

export function toJourneyEvent(row: {
  id: string;
  type: string;
  customerId: string;
  occurredAt: Date;
  properties: JsonObject;
}): JourneyEvent {
  return {
    id: row.id,
    type: row.type,
    customerId: row.customerId,
    occurredAt: row.occurredAt.toISOString(),
    properties: row.properties,
  };
}
