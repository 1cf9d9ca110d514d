import { z } from 'zod';
import { customerIdSchema } from '../contract/common';
import { customerUpsertSchema } from '../contract/customers';
import type { SyncRunIssue } from '../db/schema';
import type { JsonValue } from '../journeys/run-types';
import type { MappedRow, ProfileField } from './source-mapping';

/** A row that passed: the customer it names and the fields it sets, all valid. */
export interface SyncedRow {
  id: string;
  fields: Map<ProfileField, JsonValue>;
  /** The row's own updated time, when mapped. */
  updatedAt: Date | null;
}

export type RowCheck = { row: SyncedRow } | { issues: SyncRunIssue[] };

/** The largest JSON a row's attributes may make: the profile API's own bound on a body. */
const MAX_ROW_JSON_CHARS = 256 * 1024;

const scalarSchemas = {
  email: customerUpsertSchema.shape.email.unwrap().unwrap(),
  phone: customerUpsertSchema.shape.phone.unwrap().unwrap(),
  timeZone: customerUpsertSchema.shape.timeZone.unwrap().unwrap(),
  locale: customerUpsertSchema.shape.locale.unwrap().unwrap(),
} as const;

const attributeSchema = z.json();

/**
 * Checks a mapped row as PUT /v1/customers/{id} checks a body, field by field, so a sync writes
 * only what the API would accept. A bad row is reported by its key (its customer id when that is
 * valid, else `row <n>`, its place in the run) and each bad field, with the rule it broke, never
 * its value; none of its fields is written.
 */
export function validateRow(mapped: MappedRow, ordinal: number): RowCheck {
  const id =
    typeof mapped.id === 'number' && Number.isInteger(mapped.id) ? String(mapped.id) : mapped.id;
  const idCheck = customerIdSchema.safeParse(id);
  const key = idCheck.success ? idCheck.data : `row ${ordinal}`;
  const issues: SyncRunIssue[] = [];
  if (!idCheck.success)
    issues.push({ key, field: 'id', message: messageOf(idCheck.error, 'a customer id') });
  const fields = new Map<ProfileField, JsonValue>();
  for (const [field, value] of Object.entries(mapped.fields) as [ProfileField, unknown][]) {
    const schema = field.startsWith('attributes.')
      ? attributeSchema
      : scalarSchemas[field as keyof typeof scalarSchemas];
    const parsed = schema.safeParse(value);
    if (parsed.success) fields.set(field, parsed.data);
    else issues.push({ key, field, message: messageOf(parsed.error, 'a valid value') });
  }
  const updatedAt = timeOf(mapped.updatedAt);
  if (updatedAt === 'invalid')
    issues.push({ key, field: 'updatedAt', message: 'must be a timestamp' });
  if (
    issues.length === 0 &&
    JSON.stringify(Object.fromEntries(fields)).length > MAX_ROW_JSON_CHARS
  ) {
    issues.push({
      key,
      field: '(row)',
      message: `must be at most ${MAX_ROW_JSON_CHARS} characters of JSON`,
    });
  }
  if (issues.length > 0) return { issues };
  return { row: { id: key, fields, updatedAt: updatedAt as Date | null } };
}

function timeOf(value: unknown): Date | null | 'invalid' {
  if (value === undefined) return null;
  const at = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : null;
  return at && !Number.isNaN(at.getTime()) ? at : 'invalid';
}

/** zod's message for a type mismatch echoes nothing; ours name the rule. Never the value. */
function messageOf(error: z.ZodError, expected: string): string {
  const issue = error.issues[0];
  if (!issue || issue.code === 'invalid_type') return `must be ${expected}`;
  return issue.message;
}
