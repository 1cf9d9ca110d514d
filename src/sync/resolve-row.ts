import type { ConflictRule } from '../contract/sources';
import type { JsonObject, JsonValue } from '../journeys/run-types';
import { incomingWins, ruleFor, type FieldProvenance } from './conflict-rules';
import type { SyncedRow } from './row-validation';
import type { ProfileField } from './source-mapping';

/** The profile as stored, for the fields a row sets. */
export interface StoredProfile {
  email: string | null;
  phone: string | null;
  timeZone: string | null;
  locale: string | null;
  attributes: JsonObject;
  updatedAt: Date;
}

export interface SourceRank {
  id: string;
  priority: number;
  conflicts: { default: ConflictRule; fields: Readonly<Record<string, ConflictRule>> };
}

/** A change in PUT's shape (fields present replace; attributes merge key by key), never a null. */
export interface ProfileChange {
  email?: string;
  phone?: string;
  timeZone?: string;
  locale?: string;
  attributes?: JsonObject;
}

export interface Resolution {
  change: ProfileChange;
  /** The fields this source now holds (won, changed or equal), with the time of their value. */
  claims: { field: ProfileField; valueAt: Date }[];
}

/**
 * Decides field by field what a source's row changes on one customer (null: a new customer,
 * where every field is blank). A field whose value the source wins but holds already is claimed
 * without a change, so provenance follows who set the value last even when it did not move.
 */
export function resolveRow(
  source: SourceRank,
  row: SyncedRow,
  stored: StoredProfile | null,
  provenance: ReadonlyMap<string, FieldProvenance>,
  syncedAt: Date,
): Resolution {
  const valueAt = row.updatedAt ?? syncedAt;
  const change: ProfileChange = {};
  const claims: Resolution['claims'] = [];
  for (const [field, value] of row.fields) {
    const current = stored ? storedValue(stored, field) : undefined;
    const wins = incomingWins(
      ruleFor(source.conflicts, field),
      {
        value: current,
        provenance: provenance.get(field),
        customerUpdatedAt: stored?.updatedAt ?? new Date(0),
      },
      { sourceId: source.id, priority: source.priority, valueAt, value },
    );
    if (!wins) continue;
    claims.push({ field, valueAt });
    if (JSON.stringify(current) !== JSON.stringify(value)) setField(change, field, value);
  }
  return { change, claims };
}

function storedValue(stored: StoredProfile, field: ProfileField): JsonValue | undefined {
  if (field.startsWith('attributes.')) return stored.attributes[field.slice('attributes.'.length)];
  return stored[field as 'email' | 'phone' | 'timeZone' | 'locale'] ?? undefined;
}

function setField(change: ProfileChange, field: ProfileField, value: JsonValue): void {
  if (field.startsWith('attributes.')) {
    change.attributes = { ...change.attributes, [field.slice('attributes.'.length)]: value };
  } else {
    change[field as 'email' | 'phone' | 'timeZone' | 'locale'] = value as string;
  }
}

/** Rows of one page naming the same customer, folded in source order: a later value wins. */
export function foldRows(rows: readonly SyncedRow[]): SyncedRow[] {
  const byId = new Map<string, SyncedRow>();
  for (const row of rows) {
    const earlier = byId.get(row.id);
    if (!earlier) {
      byId.set(row.id, { ...row, fields: new Map(row.fields) });
      continue;
    }
    for (const [field, value] of row.fields) earlier.fields.set(field, value);
    if (row.updatedAt && (!earlier.updatedAt || row.updatedAt > earlier.updatedAt)) {
      earlier.updatedAt = row.updatedAt;
    }
  }
  return [...byId.values()];
}
