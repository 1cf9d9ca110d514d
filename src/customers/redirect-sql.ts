import { sql, type SQL } from 'drizzle-orm';

/**
 * The id a customer is read by now: a customer merged away (src/identity keeps the flat
 * customer_redirects table) is read as its survivor, in the reading statement itself, so a run of
 * the merged-away customer reads the survivor's profile, consent and addresses without another
 * round trip.
 */
export function currentIdSql(customerId: SQL | string): SQL {
  return sql`coalesce((select r.survivor_id from customer_redirects r
                        where r.customer_id = ${customerId}), ${customerId})`;
}
