import type { ConflictRule } from '../contract/sources';
import type { JsonValue } from '../journeys/run-types';
import { isBlank } from './blank-values';
import type { ProfileField } from './source-mapping';

/** Who last set a field: a source, with its priority, and the time the value is from. */
export interface FieldProvenance {
  sourceId: string;
  priority: number;
  valueAt: Date;
}

/** The customer as stored, for one field's decision. */
export interface StoredField {
  value: JsonValue | undefined;
  /** Absent: no source set it (the API, an import), so it counts as PRIORITY_OF_UNSOURCED. */
  provenance?: FieldProvenance;
  /** When the customer last changed: the time of a value no source set. */
  customerUpdatedAt: Date;
}

export interface IncomingField {
  sourceId: string;
  priority: number;
  /** The row's updated time when the source maps one, else the time of the sync. */
  valueAt: Date;
  value: JsonValue;
}

/**
 * A value written through the API or a file import has no provenance; for source_priority it
 * ranks as priority 0, so a source given a negative priority fills blanks only, and a positive
 * one may correct what was imported once.
 */
export const PRIORITY_OF_UNSOURCED = 0;

/**
 * Whether a source's value for one field replaces what is stored (then the source also becomes
 * the field's provenance). A blank incoming value never wins; a blank stored value always loses.
 * - merge_fields: only blanks are filled.
 * - last_write_wins: the newer value wins, by the row's updated time (ties go to the incoming).
 * - source_priority: a higher priority wins; equal priorities (or the field's own source
 *   sending it again) fall back to last_write_wins; a lower one never overwrites.
 */
export function incomingWins(
  rule: ConflictRule,
  stored: StoredField,
  incoming: IncomingField,
): boolean {
  if (isBlank(incoming.value)) return false;
  if (isBlank(stored.value)) return true;
  const storedAt = stored.provenance?.valueAt ?? stored.customerUpdatedAt;
  const newer = incoming.valueAt.getTime() >= storedAt.getTime();
  switch (rule) {
    case 'merge_fields':
      return false;
    case 'last_write_wins':
      return newer;
    case 'source_priority': {
      if (stored.provenance?.sourceId === incoming.sourceId) return newer;
      const storedPriority = stored.provenance?.priority ?? PRIORITY_OF_UNSOURCED;
      if (incoming.priority !== storedPriority) return incoming.priority > storedPriority;
      return newer;
    }
  }
}

/** The rule of a field: its own, else the source's default. */
export function ruleFor(
  conflicts: { default: ConflictRule; fields: Readonly<Record<string, ConflictRule>> },
  field: ProfileField,
): ConflictRule {
  return conflicts.fields[field] ?? conflicts.default;
}
