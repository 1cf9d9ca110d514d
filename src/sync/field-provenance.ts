import { and, eq, sql } from 'drizzle-orm';
import type { CustomerSyncSource } from '../contract/sources';
import type { Database } from '../db/database';
import { rowsOf } from '../db/rows';
import { customerFieldSources, syncSources } from '../db/schema';
import type { FieldProvenance } from './conflict-rules';
import type { ProfileField } from './source-mapping';

/**
 * Per-field provenance of synced profiles: which source last set a field, and when its value is
 * from. Only src/sync writes it; it holds customer ids and field names, never values.
 */

/**
 * The provenance of these customers' fields. The priority is the naming source's current one
 * (an operator who raises a source's priority raises the values it set), the stored one for a
 * source since deleted.
 */
export async function readProvenance(
  tx: Database,
  customerIds: string[],
): Promise<Map<string, Map<string, FieldProvenance>>> {
  const byCustomer = new Map<string, Map<string, FieldProvenance>>();
  if (customerIds.length === 0) return byCustomer;
  const rows = await tx
    .select({
      customerId: customerFieldSources.customerId,
      field: customerFieldSources.field,
      sourceId: customerFieldSources.sourceId,
      priority: sql<number>`coalesce((${syncSources.config}->>'priority')::int, ${customerFieldSources.priority})`,
      valueAt: customerFieldSources.valueAt,
    })
    .from(customerFieldSources)
    .leftJoin(syncSources, eq(syncSources.id, customerFieldSources.sourceId))
    .where(sql`${customerFieldSources.customerId} = any(${sql.param(customerIds)})`);
  for (const row of rows) {
    const fields = byCustomer.get(row.customerId) ?? new Map<string, FieldProvenance>();
    fields.set(row.field, {
      sourceId: row.sourceId,
      priority: Number(row.priority),
      valueAt: row.valueAt,
    });
    byCustomer.set(row.customerId, fields);
  }
  return byCustomer;
}

export interface FieldClaim {
  customerId: string;
  field: ProfileField;
  valueAt: Date;
}

/** Records a source as the setter of these fields: one statement for a page's claims. */
export async function writeProvenance(
  tx: Database,
  source: { id: string; priority: number },
  claims: readonly FieldClaim[],
  now: Date,
): Promise<void> {
  if (claims.length === 0) return;
  // Every array as text[]: the driver sends only the array types it knows, and text[] it does.
  await tx.execute(sql`
    insert into customer_field_sources (customer_id, field, source_id, priority, value_at, updated_at)
    select c.customer_id, c.field, ${source.id}, ${source.priority}, c.value_at::timestamptz,
           ${now.toISOString()}::timestamptz
      from unnest(${sql.param(claims.map((c) => c.customerId))}::text[],
                  ${sql.param(claims.map((c) => c.field))}::text[],
                  ${sql.param(claims.map((c) => c.valueAt.toISOString()))}::text[])
           as c(customer_id, field, value_at)
    on conflict (customer_id, field) do update
       set source_id = excluded.source_id, priority = excluded.priority,
           value_at = excluded.value_at, updated_at = excluded.updated_at`);
}

/** Each source that set a field of the customer's profile, and which fields (GET /v1/customers). */
export async function customerSyncSources(
  db: Database,
  customerId: string,
): Promise<CustomerSyncSource[]> {
  const rows = rowsOf<{ source_id: string; fields: string[]; last_synced_at: string | Date }>(
    await db.execute(sql`
      select source_id, array_agg(field order by field) as fields, max(updated_at) as last_synced_at
        from customer_field_sources where customer_id = ${customerId}
       group by source_id order by source_id`),
  );
  return rows.map((row) => ({
    sourceId: row.source_id,
    fields: row.fields,
    lastSyncedAt: new Date(row.last_synced_at).toISOString(),
  }));
}

/** An erasure's part (src/privacy/erasers.ts): the customer's provenance rows go. */
export async function eraseFieldSources(db: Database, customerId: string): Promise<number> {
  const deleted = await db
    .delete(customerFieldSources)
    .where(and(eq(customerFieldSources.customerId, customerId)))
    .returning({ field: customerFieldSources.field });
  return deleted.length;
}
