import { z } from 'zod';
import { customerIdSchema, isoTimestampSchema, jsonObjectSchema } from './common';

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
