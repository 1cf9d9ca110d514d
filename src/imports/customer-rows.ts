import { customerImportRowSchema } from '../contract/imports';
import type { CsvLayout } from './csv-table';
import { zodRowIssues, type RowIssue } from './row-issues';
import { limitIssues, type LimitCheck } from './row-rules';

/**
 * One customer row of an import, checked as PUT /v1/customers/{id} checks its body (the input
 * limits, then the same zod rules, with the id in the row), so a file row and an API call accept
 * the same profiles. The change keeps PUT's meaning: a field present replaces the stored value
 * (null clears it), attributes and consent are merged key by key, an attribute set to null is
 * removed, an absent field is left as it is.
 */
export interface StagedCustomer {
  line: number;
  id: string;
  /** The fields the row sets (PUT's body without the id), as the JSON staged. */
  change: string;
  changesConsent: boolean;
  /** The identifiers the row sets, for the tombstone check (src/privacy/import-admission.ts). */
  email?: string | null;
  phone?: string | null;
}

export type CustomerRowResult = { customer: StagedCustomer } | { issues: RowIssue[] };

export function customerRow(line: number, value: unknown, limits: LimitCheck): CustomerRowResult {
  const issues = limitIssues(line, value, limits);
  if (issues.length > 0) return { issues };
  const parsed = customerImportRowSchema.safeParse(value);
  if (!parsed.success) return { issues: zodRowIssues(line, parsed.error) };
  const { id, ...change } = parsed.data;
  return {
    customer: {
      line,
      id,
      change: JSON.stringify(change),
      changesConsent: change.consent !== undefined && Object.keys(change.consent).length > 0,
      ...(change.email !== undefined ? { email: change.email } : {}),
      ...(change.phone !== undefined ? { phone: change.phone } : {}),
    },
  };
}

/** CSV columns of a customers file; any other column is a string attribute. */
export const CUSTOMER_CSV_LAYOUT: CsvLayout = {
  known: {
    id: { path: ['id'] },
    customerid: { path: ['id'] },
    email: { path: ['email'] },
    phone: { path: ['phone'] },
    timezone: { path: ['timeZone'] },
    locale: { path: ['locale'] },
    attributes: { path: ['attributes'], json: true },
    consentemail: { path: ['consent', 'email'] },
    consentsms: { path: ['consent', 'sms'] },
    consentpush: { path: ['consent', 'push'] },
  },
  extras: 'attributes',
  required: ['id'],
};
