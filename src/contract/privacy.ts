import { z } from 'zod';
import { customerIdSchema, isoTimestampSchema, jsonObjectSchema } from './common';
import { identifierRecordSchema } from './identity';
import { consentSchema } from './customers';
import { customerLifecycleSchema } from './lifecycle';
import { customerScoreSchema } from './scores';

/**
 * A customer's erasure (right to be forgotten): DELETE /v1/customers/{id} starts it, GET
 * /v1/customers/{id}/erasure reads it. Counts and states only: nothing of the customer's data.
 */
export const erasureSchema = z
  .object({
    customerId: customerIdSchema,
    /** erasing: runs being closed, histories deleted, rows erased; erased: done. */
    status: z.enum(['erasing', 'erased']),
    requestedAt: isoTimestampSchema,
    erasedAt: isoTimestampSchema.nullable(),
    /** When a new opt-in (PUT with newOptIn) made the id a fresh profile again. */
    releasedAt: isoTimestampSchema.nullable(),
    /** The Temporal workflow carrying the erasure out. */
    workflowId: z.string(),
    /** Rounds of close runs → delete histories → erase rows (more than one if runs appeared). */
    rounds: z.number().int(),
    /** Temporal executions whose history was deleted. */
    historiesDeleted: z.number().int(),
    /** Rows deleted or anonymised per table, once erased. */
    erasedRows: z.record(z.string(), z.number().int()).nullable(),
  })
  .meta({ id: 'Erasure' });
export type Erasure = z.infer<typeof erasureSchema>;

export const erasureResponseSchema = z.object({ erasure: erasureSchema });
export type ErasureResponse = z.infer<typeof erasureResponseSchema>;

/** DELETE /v1/customers/:id's answer. */
export const erasureRequestResponseSchema = erasureResponseSchema.extend({
  /** The customers merged into this one (src/identity): erased with it, each on its own. */
  mergedCustomers: z.array(z.string()),
});
export type ErasureRequestResponse = z.infer<typeof erasureRequestResponseSchema>;

/** At most this many rows of each section of an export; a section cut there is in `truncated`. */
export const EXPORT_SECTION_LIMIT = 10_000;

const exportedEventSchema = z.object({
  id: z.string(),
  type: z.string(),
  occurredAt: isoTimestampSchema,
  receivedAt: isoTimestampSchema,
  properties: jsonObjectSchema,
  source: z.string().nullable(),
  deliveryId: z.string().nullable(),
  flags: jsonObjectSchema.nullable(),
});

const exportedDeliverySchema = z.object({
  id: z.string(),
  journeyId: z.string(),
  journeyVersion: z.number().int(),
  workflowId: z.string(),
  stepId: z.string(),
  channel: z.string(),
  messageKind: z.string(),
  status: z.string(),
  reason: z.string().nullable(),
  /** The address or number it went to, and the subject (or summary) as rendered. */
  recipient: z.string().nullable(),
  subject: z.string().nullable(),
  topic: z.string().nullable(),
  providerMessageId: z.string().nullable(),
  createdAt: isoTimestampSchema,
  sentAt: isoTimestampSchema.nullable(),
});

/**
 * Everything Cairn holds about one customer (GET /v1/customers/{id}/export), section by section,
 * each read from the module that owns it. Lists are oldest first.
 */
export const customerExportSchema = z
  .object({
    customerId: customerIdSchema,
    exportedAt: isoTimestampSchema,
    profile: z.object({
      email: z.string().nullable(),
      phone: z.string().nullable(),
      timeZone: z.string().nullable(),
      locale: z.string().nullable(),
      attributes: jsonObjectSchema,
      consent: consentSchema,
      createdAt: isoTimestampSchema,
      updatedAt: isoTimestampSchema,
    }),
    /** Every topic with the customer's own choice (null: none, the topic's default applies). */
    topics: z.array(
      z.object({
        topicId: z.string(),
        choice: z.enum(['subscribed', 'unsubscribed']).nullable(),
        subscribed: z.boolean(),
      }),
    ),
    devices: z.array(
      z.object({
        token: z.string(),
        platform: z.string(),
        createdAt: isoTimestampSchema,
        lastSeenAt: isoTimestampSchema,
      }),
    ),
    /** Suppression entries of the customer's own addresses. */
    suppressions: z.array(
      z.object({
        channel: z.string(),
        address: z.string(),
        reason: z.string(),
        source: z.string(),
        createdAt: isoTimestampSchema,
      }),
    ),
    events: z.array(exportedEventSchema),
    deliveries: z.array(exportedDeliverySchema),
    /** The links of the customer's messages that tracking rewrote. */
    trackedLinks: z.array(
      z.object({ deliveryId: z.string(), linkIndex: z.number().int(), url: z.string() }),
    ),
    inbox: z.array(
      z.object({
        id: z.string(),
        deliveryId: z.string(),
        title: z.string(),
        body: z.string(),
        actionUrl: z.string().nullable(),
        data: jsonObjectSchema,
        status: z.string(),
        createdAt: isoTimestampSchema,
        readAt: isoTimestampSchema.nullable(),
        archivedAt: isoTimestampSchema.nullable(),
      }),
    ),
    conversions: z.array(
      z.object({
        eventId: z.string(),
        model: z.string(),
        deliveryId: z.string(),
        journeyId: z.string(),
        journeyVersion: z.number().int(),
        stepId: z.string(),
        channel: z.string(),
        weight: z.number(),
        revenue: z.number(),
        currency: z.string().nullable(),
        occurredAt: isoTimestampSchema,
      }),
    ),
    /** Every segment entered; exitedAt null for a current member. */
    segments: z.array(
      z.object({
        segmentId: z.string(),
        version: z.number().int(),
        enteredAt: isoTimestampSchema,
        exitedAt: isoTimestampSchema.nullable(),
      }),
    ),
    scores: z.array(customerScoreSchema),
    lifecycle: customerLifecycleSchema,
    runs: z.array(
      z.object({
        workflowId: z.string(),
        journeyId: z.string(),
        journeyVersion: z.number().int(),
        key: z.string().nullable(),
        status: z.string(),
        finishReason: z.string().nullable(),
        startedAt: isoTimestampSchema,
        endedAt: isoTimestampSchema.nullable(),
        /** The decision trace of an ended run (a running run answers GET /v1/runs/{id}). */
        trace: z.array(z.json()).nullable(),
      }),
    ),
    /** The identifiers the customer is known by (src/identity), with where each was first seen. */
    identifiers: z.array(identifierRecordSchema),
    /** Sections cut at EXPORT_SECTION_LIMIT rows. */
    truncated: z.array(z.string()),
  })
  .meta({ id: 'CustomerExport' });
export type CustomerExport = z.infer<typeof customerExportSchema>;
