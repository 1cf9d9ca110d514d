import type { Database } from '../db/database';
import type { ProfileSnapshot } from '../journeys/run-types';
import { lastEngagement } from './engagement';
import { toProfileSnapshot, type ProfileSource } from './profile-snapshot';
import { readCustomer, type CustomerRow } from './read-customer';

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

/** The customer's profile as conditions see it now, or null for an unknown customer. */
export async function loadProfileSnapshot(
  db: Database,
  customerId: string,
): Promise<ProfileSnapshot | null> {
  const [customer, lastEngagedAt] = await Promise.all([
    readCustomer(db, customerId),
    lastEngagement(db, customerId),
  ]);
  return customer ? toProfileSnapshot(profileSourceOf(customer, lastEngagedAt)) : null;
}
