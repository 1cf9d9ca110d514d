import { isBlank } from './blank-values';
import { valueAt } from './json-path';

/** A Cairn field a source may set: the profile's scalar fields and `attributes.<name>`. */
export type ProfileField = 'email' | 'phone' | 'timeZone' | 'locale' | `attributes.${string}`;

/** A source row in Cairn's terms, before validation: blanks already left out. */
export interface MappedRow {
  /** The value mapped to `id`, as the source gave it (undefined when blank). */
  id: unknown;
  /** The row's updated time when a field maps to `updatedAt` (last_write_wins reads it). */
  updatedAt: unknown;
  /** Each profile field the row sets, by Cairn field; a blank source value is not here. */
  fields: Partial<Record<ProfileField, unknown>>;
}

/**
 * Applies a source's mapping (source field → Cairn field) to one row. Values are taken as the
 * source gave them, except what JSON cannot carry: a Date becomes its ISO string, a bigint its
 * digits. Blank values (absent, null, white space) are dropped here, so nothing downstream can
 * clear a field with one.
 */
export function mapRow(row: unknown, mapping: Readonly<Record<string, string>>): MappedRow {
  const mapped: MappedRow = { id: undefined, updatedAt: undefined, fields: {} };
  for (const [sourceField, target] of Object.entries(mapping)) {
    const value = valueAt(row, sourceField);
    if (isBlank(value)) continue;
    const plain = plainValue(value);
    if (target === 'id') mapped.id = plain;
    else if (target === 'updatedAt') mapped.updatedAt = value instanceof Date ? value : plain;
    else mapped.fields[target as ProfileField] = plain;
  }
  return mapped;
}

function plainValue(value: unknown): unknown {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? value : value.toISOString();
  if (typeof value === 'bigint') return value.toString();
  return value;
}
