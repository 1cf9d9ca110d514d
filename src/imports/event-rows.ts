import { eventInputSchema } from '../contract/events';
import { canonicalEventType } from '../journeys/event-names';
import type { CsvLayout } from './csv-table';
import { zodRowIssues, type RowIssue } from './row-issues';
import { limitIssues, type RowRules } from './row-rules';

/**
 * One event row of an import, checked as POST /v1/events checks its body — the input limits,
 * then the same zod schema (eventInputSchema), then the stored size — so a file row and an API
 * call accept the same events. What Postgres decides (the customer exists, a named delivery is
 * the customer's) is checked where the rows are stored, set-based.
 */
export interface StagedEvent {
  line: number;
  id: string;
  customerId: string;
  type: string;
  occurredAt: string | null;
  /** The properties as the JSON stored. */
  properties: string;
  deliveryId: string | null;
}

export type EventRowResult = { event: StagedEvent } | { issues: RowIssue[] };

export function eventRow(line: number, value: unknown, rules: RowRules): EventRowResult {
  const limits = limitIssues(line, value, rules.limits);
  if (limits.length > 0) return { issues: limits };
  const parsed = eventInputSchema.safeParse(value);
  if (!parsed.success) return { issues: zodRowIssues(line, parsed.error) };
  const event = parsed.data;
  const properties = JSON.stringify(event.properties ?? {});
  if (Buffer.byteLength(properties) > rules.maxEventBytes) {
    const message = `must stay within ${rules.maxEventBytes} bytes of JSON`;
    return { issues: [{ line, path: 'properties', message }] };
  }
  return {
    event: {
      line,
      id: event.id,
      customerId: event.customerId,
      // Stored under its canonical name, as src/routing/record-events.ts stores a live event.
      type: canonicalEventType(event.type),
      occurredAt: event.occurredAt ?? null,
      properties,
      deliveryId: event.deliveryId ?? null,
    },
  };
}

/** CSV columns of an events file; any other column is a string property. */
export const EVENT_CSV_LAYOUT: CsvLayout = {
  known: {
    id: { path: ['id'] },
    eventid: { path: ['id'] },
    customerid: { path: ['customerId'] },
    type: { path: ['type'] },
    eventtype: { path: ['type'] },
    occurredat: { path: ['occurredAt'] },
    timestamp: { path: ['occurredAt'] },
    deliveryid: { path: ['deliveryId'] },
    properties: { path: ['properties'], json: true },
  },
  extras: 'properties',
  required: ['id', 'customerId', 'type'],
};
