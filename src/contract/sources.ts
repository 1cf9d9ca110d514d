import { z } from 'zod';
import { isoTimestampSchema } from './common';

/**
 * External sources Cairn pulls customers from on a schedule (src/sync): their configuration as
 * POST/PUT /v1/sources take it, and their runs as GET /v1/sources/{id}/runs answers them. A
 * source names the environment variables holding its secrets (a connection string, a token);
 * the secrets themselves are never sent to or stored by Cairn.
 */

export const sourceIdSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,62}$/, 'must be 1-63 characters: a-z, 0-9, "_" or "-", from a letter');

const envNameSchema = z
  .string()
  .regex(
    /^[A-Z_][A-Z0-9_]{0,127}$/,
    'must name an environment variable such as "CRM_DATABASE_URL"',
  );

/** A secret read from the environment of the worker that runs the sync. */
const fromEnvSchema = z.strictObject({ env: envNameSchema });

/** A field of a source row: a column name, or a dotted path into a JSON object ("user.email"). */
const sourceFieldSchema = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*){0,7}$/,
    'must be a field name or a dotted path',
  );

/** What a source field becomes in Cairn. Consent is never synced (it is the customer's choice). */
export const cairnFieldSchema = z
  .string()
  .regex(
    /^(id|email|phone|timeZone|locale|updatedAt|attributes\.[A-Za-z_][A-Za-z0-9_]{0,63})$/,
    'must be id, email, phone, timeZone, locale, updatedAt or attributes.<name>',
  );

export const conflictRuleSchema = z.enum(['merge_fields', 'last_write_wins', 'source_priority']);
export type ConflictRule = z.infer<typeof conflictRuleSchema>;

/** Durations of a schedule: 30s, 15m, 6h, 1d; at least 10 seconds, at most 30 days. */
export const syncIntervalSchema = z
  .string()
  .regex(/^[1-9]\d{0,6}(s|m|h|d)$/, 'must be a duration such as "15m", "1h" or "1d"')
  .refine(
    (value) => {
      const ms = intervalMs(value);
      return ms >= 10_000 && ms <= 30 * 86_400_000;
    },
    { message: 'must be between 10s and 30d', when: (payload) => payload.issues.length === 0 },
  );

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export function intervalMs(interval: string): number {
  const unit = interval.slice(-1) as keyof typeof UNIT_MS;
  return Number(interval.slice(0, -1)) * (UNIT_MS[unit] ?? Number.NaN);
}

const postgresSourceSchema = z.strictObject({
  kind: z.literal('postgres'),
  connection: fromEnvSchema,
  /** A query returning the rows changed after `$cursor` (Cairn adds the order and the limit). */
  query: z
    .string()
    .min(1)
    .max(20_000)
    .refine((q) => q.includes('$cursor'), 'must use the $cursor parameter')
    .refine((q) => !/\$[0-9]/.test(q), 'must use $cursor, not numbered parameters'),
});

const httpSourceSchema = z.strictObject({
  kind: z.literal('http'),
  url: z
    .url('must be an http(s) URL')
    .max(2_000)
    .refine((u) => /^https?:\/\//i.test(u), 'must be an http(s) URL'),
  token: fromEnvSchema.optional(),
  /** The query parameter the cursor is sent in. */
  cursorParam: z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/, 'must be a parameter name'),
  /** Where the rows are in the JSON answer ("data.customers"); "" for an answer that is the array. */
  rowsPath: z.union([z.literal(''), sourceFieldSchema]),
  /** Where the next cursor is; absent or null there: the last page. */
  nextCursorPath: sourceFieldSchema.optional(),
});

const sourceBodyShape = {
  name: z.string().min(1).max(200),
  enabled: z.boolean().default(true),
  priority: z.number().int().min(-1_000_000).max(1_000_000),
  interval: syncIntervalSchema,
  pageSize: z.number().int().min(1).max(10_000).default(500),
  connector: z.discriminatedUnion('kind', [postgresSourceSchema, httpSourceSchema]),
  cursor: z.strictObject({
    /** The row field holding the cursor; rows come in its order. */
    field: sourceFieldSchema,
    /** `time` makes the run's lag measurable (now minus the newest row's cursor). */
    type: z.enum(['time', 'number', 'text']),
    /** Where a first run starts; default the epoch, the smallest integer or "". */
    initial: z.string().max(200).optional(),
  }),
  /** Source field → Cairn field; exactly one field maps to `id` (the customer's own id). */
  mapping: z
    .record(sourceFieldSchema, cairnFieldSchema)
    .refine((m) => Object.keys(m).length <= 200, 'must map at most 200 fields')
    .refine(
      (m) => Object.values(m).filter((target) => target === 'id').length === 1,
      'must map exactly one field to id',
    )
    .refine(
      (m) => new Set(Object.values(m)).size === Object.values(m).length,
      'must map each Cairn field once',
    ),
  conflicts: z
    .strictObject({
      default: conflictRuleSchema.default('source_priority'),
      fields: z.record(cairnFieldSchema, conflictRuleSchema).default({}),
    })
    .default({ default: 'source_priority', fields: {} }),
};

/** A Postgres source's cursor is a column of its query's rows: Cairn orders and filters by it. */
function cursorIsColumn(
  body: { connector: { kind: string }; cursor: { field: string } },
  context: z.core.$RefinementCtx,
): void {
  if (body.connector.kind === 'postgres' && body.cursor.field.includes('.')) {
    context.addIssue({
      code: 'custom',
      path: ['cursor', 'field'],
      message: 'must be a column of the query (no dotted path) for a postgres source',
    });
  }
}

export const sourceUpdateSchema = z
  .strictObject(sourceBodyShape)
  .superRefine(cursorIsColumn)
  .meta({ id: 'SourceUpdate' });
export const sourceCreateSchema = z
  .strictObject({ id: sourceIdSchema, ...sourceBodyShape })
  .superRefine(cursorIsColumn)
  .meta({ id: 'SourceCreate' });
export type SourceCreate = z.input<typeof sourceCreateSchema>;
export type SourceConfig = z.infer<typeof sourceCreateSchema>;

export const sourceParamsSchema = z.object({ id: sourceIdSchema });

export const sourceSchema = z
  .object({
    id: z.string(),
    version: z.number().int(),
    config: sourceCreateSchema,
    /** Where the next run reads from (null: from the cursor's initial value). */
    cursor: z.string().nullable(),
    scheduleId: z.string(),
    createdAt: isoTimestampSchema,
    updatedAt: isoTimestampSchema,
  })
  .meta({ id: 'Source' });
export type SourceView = z.infer<typeof sourceSchema>;

export const sourceListSchema = z.object({ sources: z.array(sourceSchema) });

export const syncRunSchema = z
  .object({
    id: z.string(),
    sourceId: z.string(),
    sourceVersion: z.number().int(),
    workflowId: z.string().nullable(),
    attempt: z.number().int(),
    status: z.enum(['running', 'succeeded', 'failed']),
    startedAt: isoTimestampSchema,
    finishedAt: isoTimestampSchema.nullable(),
    pages: z.number().int(),
    rowsRead: z.number().int(),
    rowsWritten: z.number().int(),
    rowsUnchanged: z.number().int(),
    rowsRejected: z.number().int(),
    /** The first rejected rows, by row key (the mapped customer id, else "row <n>") and field. */
    issues: z.array(z.object({ key: z.string(), field: z.string(), message: z.string() })),
    error: z.string().nullable(),
    cursorBefore: z.string().nullable(),
    cursorAfter: z.string().nullable(),
    /** Now minus the newest row's cursor time, when the cursor is a time. */
    lagMs: z.number().nullable(),
  })
  .meta({ id: 'SyncRun' });
export type SyncRunView = z.infer<typeof syncRunSchema>;

export const syncRunListSchema = z.object({ runs: z.array(syncRunSchema) });
export const syncRunsQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(20),
});

export const syncRunStartedSchema = z.object({
  workflowId: z.string().nullable(),
  /** false: a run was already going (the schedule skips overlaps), and that one is named. */
  started: z.boolean(),
  /** The run as recorded once it finished (null: still running after the wait). */
  run: syncRunSchema.nullable(),
});
export type SyncRunStarted = z.infer<typeof syncRunStartedSchema>;

/** On GET /v1/customers/{id}: each source that set a field of the profile, and which fields. */
export const customerSyncSourceSchema = z.object({
  sourceId: z.string(),
  fields: z.array(z.string()),
  lastSyncedAt: isoTimestampSchema,
});
export type CustomerSyncSource = z.infer<typeof customerSyncSourceSchema>;
