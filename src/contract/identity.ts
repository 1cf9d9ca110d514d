import { z } from 'zod';
import { customerIdSchema } from './common';

/** POST /v1/customers/{id}/merge: merge `from` into the customer of the path (the survivor). */
export const mergeRequestSchema = z.strictObject({
  from: customerIdSchema,
  /** Why, for the record: a support ticket, "duplicate signup", … (no PII, please). */
  reason: z.string().trim().min(1).max(200).optional(),
});
export type MergeRequestBody = z.input<typeof mergeRequestSchema>;

export const mergeIdParamsSchema = z.object({ mergeId: z.uuid('must be a merge id (a UUID)') });

export const mergeRecordSchema = z
  .object({
    id: z.string(),
    from: z.string(),
    into: z.string(),
    /** applied, refused (the rules said no: see reason) or unmerged. */
    status: z.enum(['applied', 'refused', 'unmerged']),
    reason: z.string(),
    causedBy: z.string(),
    createdAt: z.string(),
    unmergedAt: z.string().nullable(),
  })
  .meta({ id: 'Merge' });
export type MergeRecord = z.infer<typeof mergeRecordSchema>;

export const mergeResultSchema = z.object({
  merge: mergeRecordSchema,
  /** Runs of one journey the survivor was in twice: the later entry, cancelled (merged_duplicate). */
  cancelledRuns: z.array(z.object({ workflowId: z.string(), outcome: z.string() })),
});
export type MergeResult = z.infer<typeof mergeResultSchema>;

export const identifierRecordSchema = z.object({
  /** userId, anonymousId, email, phone or external:<source>. */
  type: z.string(),
  value: z.string(),
  source: z.string().nullable(),
  firstSeen: z.string(),
});

export const customerIdentitiesSchema = z
  .object({
    customerId: z.string(),
    /** The survivor this customer was merged into, or null. */
    mergedInto: z.string().nullable(),
    identifiers: z.array(identifierRecordSchema),
    /** Merges this customer took part in, newest first (applied, refused and unmerged). */
    merges: z.array(mergeRecordSchema),
  })
  .meta({ id: 'CustomerIdentities' });
export type CustomerIdentities = z.infer<typeof customerIdentitiesSchema>;
