import { z } from 'zod';
import { journeyIdSchema } from '../journeys/schema';
import { customerIdSchema, isoTimestampSchema, issueSchema, jsonObjectSchema } from './common';

export const runStatusSchema = z.enum(['running', 'completed', 'exited', 'cancelled', 'failed']);

export const startRunSchema = z
  .strictObject({
    customerId: customerIdSchema,
    /** The run key of a keyed journey; defaults to the key property in `properties`. */
    key: z.string().min(1).max(200).optional(),
    /** Properties of the start, visible to conditions as trigger.*. */
    properties: jsonObjectSchema.optional(),
  })
  .meta({ id: 'StartRun' });
export type StartRunRequest = z.input<typeof startRunSchema>;

export const startRunResultSchema = z.object({
  workflowId: z.string(),
  /** started: a new run; already_running: the run for this customer (and key) was running. */
  outcome: z.enum(['started', 'already_running']),
  runId: z.string().nullable(),
});
export type StartRunResult = z.infer<typeof startRunResultSchema>;

export const runRecordSchema = z
  .object({
    workflowId: z.string(),
    temporalRunId: z.string().nullable(),
    journeyId: z.string(),
    journeyVersion: z.number().int(),
    customerId: z.string(),
    key: z.string().nullable(),
    status: runStatusSchema,
    finishReason: z.string().nullable(),
    listensTo: z.array(z.string()),
    triggerEventId: z.string().nullable(),
    startedAt: isoTimestampSchema,
    endedAt: isoTimestampSchema.nullable(),
  })
  .meta({ id: 'RunRecord' });
export type RunRecord = z.infer<typeof runRecordSchema>;

/** The workflow's own view (stateQuery), loosely typed here: see JourneyRunView. */
export const liveRunSchema = z.record(z.string(), z.unknown());

export const runDetailSchema = z.object({
  run: runRecordSchema,
  /** null when Temporal did not answer (the registry row is still authoritative for routing). */
  live: liveRunSchema.nullable(),
});
export type RunDetail = z.infer<typeof runDetailSchema>;

export const runListSchema = z.object({ runs: z.array(runRecordSchema) });
export type RunList = z.infer<typeof runListSchema>;

export const cancelRunSchema = z.strictObject({ reason: z.string().max(200).optional() });
export type CancelRunRequest = z.input<typeof cancelRunSchema>;

export const cancelRunResultSchema = z.object({
  workflowId: z.string(),
  cancelRequested: z.boolean(),
});
export type CancelRunResult = z.infer<typeof cancelRunResultSchema>;

/** Most items one bulk start or bulk cancel request takes. */
export const RUN_BATCH_LIMIT = 500;

export const startRunBatchSchema = z
  .strictObject({ items: z.array(startRunSchema).min(1).max(RUN_BATCH_LIMIT) })
  .meta({ id: 'StartRunBatch' });
export type StartRunBatchRequest = z.input<typeof startRunBatchSchema>;

/** Why one item of a bulk start was refused; nothing was stored or started for it. */
export const startRefusalReasonSchema = z.enum([
  'journey_not_found',
  'journey_not_active',
  'customer_not_found',
  'invalid_key',
  'trigger_conditions_not_met',
  'temporal_unavailable',
]);

/**
 * One item's answer, in request order (index = its place in items). The outcomes of the single
 * start: started, already_running, blocked (re-entry policy: rule once or cooldown), refused.
 */
export const startRunItemResultSchema = z.object({
  index: z.number().int(),
  outcome: z.enum(['started', 'already_running', 'blocked', 'refused']),
  /** null only for a refusal before the run's id was known. */
  workflowId: z.string().nullable(),
  runId: z.string().nullable(),
  rule: z.enum(['once', 'cooldown', 'max_executions']).optional(),
  reason: startRefusalReasonSchema.optional(),
  /** For refusals: the offending fields, named items.N.field (or the failed trigger condition). */
  issues: z.array(issueSchema).optional(),
});
export type StartRunItemResult = z.infer<typeof startRunItemResultSchema>;

export const startRunBatchResultSchema = z
  .object({
    items: z.array(startRunItemResultSchema),
    counts: z.object({
      started: z.number().int(),
      alreadyRunning: z.number().int(),
      blocked: z.number().int(),
      refused: z.number().int(),
    }),
  })
  .meta({ id: 'StartRunBatchResult' });
export type StartRunBatchResult = z.infer<typeof startRunBatchResultSchema>;

/**
 * Bulk cancel: exactly one of workflowIds (up to 500 runs by id) or journeyId (one page of that
 * journey's running runs, ordered by workflow id, after the cursor `after`; `limit` per page).
 */
export const cancelRunsSchema = z
  .strictObject({
    workflowIds: z.array(z.string().min(1).max(500)).min(1).max(RUN_BATCH_LIMIT).optional(),
    journeyId: journeyIdSchema.optional(),
    after: z.string().min(1).max(500).optional(),
    limit: z.number().int().min(1).max(RUN_BATCH_LIMIT).optional(),
    reason: z.string().max(200).optional(),
  })
  .superRefine((body, ctx) => {
    if ((body.workflowIds === undefined) === (body.journeyId === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['workflowIds'],
        message: 'give exactly one of workflowIds or journeyId',
      });
    }
    if (body.workflowIds !== undefined) {
      for (const field of ['after', 'limit'] as const) {
        if (body[field] !== undefined)
          ctx.addIssue({ code: 'custom', path: [field], message: 'only with journeyId' });
      }
    }
  })
  .meta({ id: 'CancelRuns' });
export type CancelRunsRequest = z.input<typeof cancelRunsSchema>;

export const cancelRunItemResultSchema = z.object({
  workflowId: z.string(),
  /**
   * cancel_requested: the run ends at its next decision point; not_running: it had ended;
   * not_found: no run with this id; temporal_unavailable: Temporal did not answer, try again.
   */
  outcome: z.enum(['cancel_requested', 'not_running', 'not_found', 'temporal_unavailable']),
});
export type CancelRunItemResult = z.infer<typeof cancelRunItemResultSchema>;

export const cancelRunsResultSchema = z
  .object({
    items: z.array(cancelRunItemResultSchema),
    /** journeyId pages: the cursor for the next page (pass as after), null after the last. */
    next: z.string().nullable(),
  })
  .meta({ id: 'CancelRunsResult' });
export type CancelRunsResult = z.infer<typeof cancelRunsResultSchema>;
