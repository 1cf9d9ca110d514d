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

/**
 * Every id the person a customer is now has had: the current id (currentIdSql) and each customer
 * merged into it, as an array. What counts per person (frequency caps) counts over all of them, since a run
 * the merged-away customer started goes on under its old id.
 */
export function personIdsSql(customerId: SQL | string): SQL {
  const current = currentIdSql(customerId);
  return sql`array(select ${current}
                 union select r.customer_id from customer_redirects r
                  where r.survivor_id = ${current})`;
}
