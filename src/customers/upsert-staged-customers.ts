import { sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { rowsOf } from '../db/rows';

/**
 * The bulk form of upsertCustomer: a bulk import fills the temporary table STAGED_CUSTOMERS (by
 * COPY) in its transaction — each row an id and PUT /v1/customers/{id}'s body as JSON — and
 * upsertStagedCustomers applies them set-based with PUT's meaning: a field present replaces the
 * stored value (null clears it), attributes and consent are merged key by key, an attribute set
 * to null is removed. A row that would change nothing leaves the customer as it is (updated_at
 * too), so importing a file again is a no-op. The staged ids must be distinct (the caller's
 * chunks are). Consent locks are the caller's (lockConsentForChanges), taken first.
 */

export const STAGED_CUSTOMERS_DDL = sql`
  create temporary table staged_customers (line int not null, id text not null, change jsonb not null)
  on commit drop`;
export const STAGED_CUSTOMERS_COLUMNS = [
  ['line', 'int'],
  ['id', 'text'],
  ['change', 'jsonb'],
] as const;
export const STAGED_CUSTOMERS_TABLE = 'staged_customers';

export interface StagedUpsertOutcome {
  created: string[];
  updated: string[];
}

export async function upsertStagedCustomers(
  tx: Database,
  now: Date,
  source = 'import',
): Promise<StagedUpsertOutcome> {
  const at = now.toISOString();
  const created = idsOf(
    await tx.execute(sql`
      insert into customers (id, email, phone, time_zone, locale, attributes, consent, sources,
                             created_at, updated_at)
      select s.id, s.change->>'email', s.change->>'phone', s.change->>'timeZone',
             s.change->>'locale',
             coalesce((select jsonb_object_agg(a.key, a.value)
                         from jsonb_each(s.change->'attributes') a
                        where a.value <> 'null'::jsonb), '{}'::jsonb),
             coalesce(s.change->'consent', '{}'::jsonb), array[${source}::text],
             ${at}::timestamptz, ${at}::timestamptz
        from staged_customers s
       order by s.id
      on conflict (id) do nothing
      returning id`),
  );
  // The rows this import merges into, locked first (in id order, as upsertCustomer locks one):
  // the merge below then reads what concurrent changes committed, and none is lost.
  await tx.execute(sql`
    select c.id from customers c
     where c.id in (select s.id from staged_customers s) and c.id <> all(${sql.param(created)}::text[])
     order by c.id for update`);
  const updated = idsOf(
    await tx.execute(sql`
      update customers c
         set email = n.email, phone = n.phone, time_zone = n.time_zone, locale = n.locale,
             attributes = n.attributes, consent = n.consent, updated_at = ${at}::timestamptz,
             sources = case when ${source}::text = any(c.sources) then c.sources
                            else array_append(c.sources, ${source}::text) end
        from (
          select s.id,
                 case when s.change ? 'email' then s.change->>'email' else o.email end as email,
                 case when s.change ? 'phone' then s.change->>'phone' else o.phone end as phone,
                 case when s.change ? 'timeZone' then s.change->>'timeZone' else o.time_zone end
                   as time_zone,
                 case when s.change ? 'locale' then s.change->>'locale' else o.locale end as locale,
                 (o.attributes || coalesce(s.change->'attributes', '{}'::jsonb))
                   - array(select a.key from jsonb_each(s.change->'attributes') a
                            where a.value = 'null'::jsonb) as attributes,
                 o.consent || coalesce(s.change->'consent', '{}'::jsonb) as consent
            from staged_customers s
            join customers o on o.id = s.id
           where s.id <> all(${sql.param(created)}::text[])
        ) n
       where c.id = n.id
         and (c.email, c.phone, c.time_zone, c.locale, c.attributes, c.consent)
             is distinct from (n.email, n.phone, n.time_zone, n.locale, n.attributes, n.consent)
      returning c.id`),
  );
  return { created, updated };
}

function idsOf(result: unknown): string[] {
  return rowsOf<{ id: string }>(result).map((row) => row.id);
}
