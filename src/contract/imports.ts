import { z } from 'zod';
import { customerIdSchema } from './common';
import { customerUpsertSchema } from './customers';
import { eventTypeSchema } from './events';

/**
 * Bulk import of customers and events from a file (POST /v1/imports/customers, /v1/imports/events):
 * the body is the file itself, text/csv or application/x-ndjson. An NDJSON line of an events file
 * is exactly POST /v1/events's body (EventInput); a line of a customers file is PUT
 * /v1/customers/{id}'s body with the id in it.
 */

export const IMPORT_CONTENT_TYPES = ['text/csv', 'application/x-ndjson'] as const;

/** One line of a customers file: the id, and the fields PUT /v1/customers/{id} takes. */
export const customerImportRowSchema = customerUpsertSchema
  .extend({ id: customerIdSchema })
  .meta({ id: 'CustomerImportRow' });
export type CustomerImportRow = z.input<typeof customerImportRowSchema>;

const booleanFlag = z
  .enum(['true', 'false'], 'must be true or false')
  .default('false')
  .transform((value) => value === 'true');

export const eventImportQuerySchema = z.strictObject({
  /**
   * false (default): imported history feeds profile rules, scores, segments and stages but starts
   * and signals no journey run; true: the events are routed like POST /v1/events.
   */
  trigger: booleanFlag,
  /** The events' source system (crm, ecommerce, …); default import. */
  source: eventTypeSchema.optional(),
});
export type EventImportQuery = z.input<typeof eventImportQuerySchema>;

export const rejectedRowSchema = z.object({
  /** The line of the file the row starts on (1-based, a CSV header is line 1). */
  line: z.number().int(),
  /** The field, as the API names it (`occurredAt`, `properties.total`), or `(row)`. */
  path: z.string(),
  message: z.string(),
});
export type RejectedRow = z.infer<typeof rejectedRowSchema>;

const importCounts = {
  /** Rows read (blank lines and a CSV header are not rows). */
  rows: z.number().int(),
  /** Rows refused: each counted once, however many of its fields are wrong. */
  rejected: z.number().int(),
  /** The first 100 issues found, in line order; `rejected` counts every refused row. */
  rejectedRows: z.array(rejectedRowSchema),
  tookMs: z.number().int(),
};

export const eventImportResultSchema = z
  .object({
    ...importCounts,
    /** Events stored by this import. */
    imported: z.number().int(),
    /** Rows whose event id was stored before, or earlier in the file: nothing new stored. */
    duplicates: z.number().int(),
    /** Whether the stored events start and signal journey runs (the trigger parameter). */
    triggersJourneys: z.boolean(),
  })
  .meta({ id: 'EventImportResult' });
export type EventImportResult = z.infer<typeof eventImportResultSchema>;

export const customerImportResultSchema = z
  .object({
    ...importCounts,
    created: z.number().int(),
    /** Customers that existed and whose stored profile the row changed. */
    updated: z.number().int(),
    /** Rows that changed nothing (a file imported again). */
    unchanged: z.number().int(),
  })
  .meta({ id: 'CustomerImportResult' });
export type CustomerImportResult = z.infer<typeof customerImportResultSchema>;
